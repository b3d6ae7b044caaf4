"""An ARM (Azure Resource Manager) emulator: cloud state apart from the HTTP layer.

``cloud.Cloud`` holds the state and the rules (one generic engine driven by the per-type specs in
``types/``); ``app.ArmApp`` routes ARM's wire dialect to the ``endpoints/`` modules; ``server`` runs it.
"""
