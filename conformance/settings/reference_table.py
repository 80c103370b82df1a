"""The options table as Markdown, for ``docs/configuration.md`` (a test keeps the page in step)."""

from __future__ import annotations

from conformance.settings.options import CLI, OPTIONS, PYTEST


def options_markdown() -> str:
    """One row per option: its spellings on each front-end, environment variable, config key and meaning."""
    rows = [
        "| `run` flag | pytest flag | environment | config key | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for option in OPTIONS:
        spelled = f"{option.short}/{option.cli_flag}" if option.short else option.cli_flag
        cli = f"`{spelled}`" if CLI in option.front_ends else "-"
        plugin = f"`{option.pytest_flag}`" if PYTEST in option.front_ends else "-"
        env = f"`{option.env}`" if option.env else "-"
        key = f"`{option.file_key}`" if option.file_key else "-"
        front_end = CLI if CLI in option.front_ends else PYTEST
        meaning = option.help_text(front_end).replace("|", "\\|")
        if option.choices:
            meaning += f"; one of {', '.join(option.choices)}"
        rows.append(f"| {cli} | {plugin} | {env} | {key} | {meaning} |")
    return "\n".join(rows) + "\n"
