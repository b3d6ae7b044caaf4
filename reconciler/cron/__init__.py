"""``reconcile drift --all``: every listed workspace scanned on a schedule, one report, notifications."""
