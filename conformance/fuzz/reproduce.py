"""The shortest reproducing sequence of calls, as ``curl`` lines a shell can run in order.

Ids an earlier call created (a customer, a card) are captured into shell variables and reused
by the later calls, so the sequence reproduces against a fresh account, not only against the
objects of the run that found it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from conformance.http.curl import curl_command
from conformance.http.exchange import Response

ID_FIELDS = ("id", "default_source")
"""Top-level fields whose value a later call may use."""
_ID_VALUE = re.compile(r"[a-z]+_[A-Za-z0-9]{6,}")


def curl_sequence(responses: Sequence[Response]) -> str:
    """Return one ``curl`` line per call, ids created by earlier calls captured in variables."""
    commands = [curl_command(response.request) for response in responses]
    lines: list[str] = []
    for index, response in enumerate(responses):
        captures = []
        for field, value in _produced_ids(response):
            later = commands[index + 1 :]
            if not any(value in command for command in later):
                continue
            variable = f"{field.upper()}{index + 1}"
            captures.append((field, variable))
            commands[index + 1 :] = [_substitute(command, value, variable) for command in later]
        lines.append(_capturing(commands[index], captures, index + 1))
    return "\n".join(lines)


def _produced_ids(response: Response) -> list[tuple[str, str]]:
    if not 200 <= response.status < 300:
        return []
    body = response.json()
    if not isinstance(body, dict):
        return []
    found = []
    for field in ID_FIELDS:
        value = body.get(field)
        if isinstance(value, str) and _ID_VALUE.fullmatch(value):
            found.append((field, value))
    return found


def _capturing(command: str, captures: list[tuple[str, str]], step: int) -> str:
    """Turn ``command`` into a call whose answer is kept and read with ``jq``."""
    if not captures:
        return command
    reads = "; ".join(f"{variable}=$(jq -r .{field} <<< \"$R{step}\")" for field, variable in captures)
    return f"R{step}=$({command}); {reads}"


def _substitute(command: str, value: str, variable: str) -> str:
    """Replace ``value`` by ``$variable`` in a shell command, respecting its quoting."""
    out: list[str] = []
    quote: str | None = None
    index = 0
    while index < len(command):
        char = command[index]
        if command.startswith(value, index):
            if quote == "'":
                out.append(f"'\"${{{variable}}}\"'")
            else:
                out.append(f"${{{variable}}}" if quote == '"' else f"\"${{{variable}}}\"")
            index += len(value)
            continue
        if quote is None and char in "'\"":
            quote = char
        elif quote == char:
            quote = None
        out.append(char)
        index += 1
    return "".join(out)
