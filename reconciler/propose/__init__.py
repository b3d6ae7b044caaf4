"""Proposals: the IaC diff that codifies, reverts or imports each drift, validated before anyone sees it."""
