"""Entry points for the outside world: pre-commit, the PR bot, cron and watch mode."""
