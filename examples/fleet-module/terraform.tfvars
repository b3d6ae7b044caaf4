fleet = {
  "fleet-a" = "Standard_B1s"
  "fleet-b" = "Standard_B1s"
  "fleet-c" = "Standard_B2s"
}
