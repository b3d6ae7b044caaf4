"""An ARM (Azure Resource Manager) emulator: cloud state apart from the HTTP layer.

``cloud.Cloud`` holds the state and the rules (one generic engine driven by the per-type specs in
``types/``); ``app.ArmApp`` is the WSGI front end that speaks ARM's wire dialect; ``server`` runs it.
"""
