"""The pre-commit guard behind ``reconcile check``: would this commit's next apply revert a drift?

files.py       staged files → workspaces (a scanned or listed Terraform root; shared modules)
expression.py  static evaluation: literals, var/local/count.index/each.*, templates; Unknown for the rest
terms.py       operators, conditionals, collections and pure functions, on python-hcl2's parse tree
values.py      Unknown (only Terraform knows) and Absent (not set), and steps into evaluated values
inputs.py      the files that feed a resource (its block, variables, locals, tfvars, module arguments)
codified.py    does the configuration already say the live value (schema-normalized)?
verdict.py     one drift → blocked, stale, untouched, allowed, codified or ignored
run.py         the check in order; duration.py  "24h" and friends; render.py  text and JSON
"""
