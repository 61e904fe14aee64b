"""`designdoc lsp` driven by a real LSP client (pytest-lsp, on pygls), as an editor would.

Run by crates/cli/tests/lsp.rs with DESIGNDOC_BIN set to the built binary.
"""

import asyncio
import os
import pathlib
import tempfile

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

BIN = os.environ.get("DESIGNDOC_BIN", "designdoc")

TEMPLATE = """---
status: draft
---
# [Title]

## Overview
[What this is]

## Risks
List what could go wrong, and what you do about it.
"""

FIRST = """---
status: draft
---
# First

## Overview
Text.

## Risks
None.
"""

# Non-ASCII before the placeholder: columns are UTF-16 units, not bytes or chars.
SECOND = """---
status: draft
id: 1
---
# Über 😀 cache

## Overview
概述 😀 [What this is] and [the first](0001-first.md#risks).
"""


def workspace() -> pathlib.Path:
    root = pathlib.Path(tempfile.mkdtemp(prefix="designdoc-lsp-"))
    (root / "designdoc.toml").write_text('template = "template.md"\n[rules]\nmissing-authors = "off"\n')
    (root / "template.md").write_text(TEMPLATE)
    (root / "0001-first.md").write_text(FIRST)
    (root / "0002-second.md").write_text(SECOND)
    return root


ROOT = workspace()
SECOND_URI = (ROOT / "0002-second.md").as_uri()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "lsp"]))
async def client(lsp_client: LanguageClient):
    # The server asks to watch designdoc.toml and the docs, as a VS Code client allows.
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(_params):
        return None

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=ROOT.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=ROOT.as_uri(), name="docs")],
            initialization_options={"debounceMs": 20},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def until(check, what: str, timeout: float = 10.0):
    """Polls `check()` until it returns something truthy (diagnostics arrive when they do)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def codes(client: LanguageClient, uri: str) -> list[str]:
    return sorted(str(d.code) for d in client.diagnostics.get(uri, []))


def open_doc(client: LanguageClient, uri: str, text: str):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text)
        )
    )


def by_code(client: LanguageClient, uri: str, code: str) -> types.Diagnostic:
    return next(d for d in client.diagnostics.get(uri, []) if d.code == code)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """A client's application of LSP edits: UTF-16 positions, applied from the end."""
    lines = text.split("\n")

    def offset(pos: types.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units, chars = 0, 0
        for ch in line:
            if units >= pos.character:
                break
            units += 2 if ord(ch) > 0xFFFF else 1
            chars += 1
        return before + chars

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
    return text


async def test_open_shows_file_and_project_findings(client: LanguageClient):
    open_doc(client, SECOND_URI, SECOND)
    found = await until(lambda: codes(client, SECOND_URI), "diagnostics on open")
    # missing Risks, the unfilled placeholder, and id 1 = 0001-first.md's number
    assert "DD001" in found and "DD010" in found and "DD030" in found, found
    placeholder = by_code(client, SECOND_URI, "DD010")
    # `概述 😀 ` is 6 UTF-16 units (12 bytes, 5 chars); the placeholder is 14 units.
    assert (placeholder.range.start.line, placeholder.range.start.character) == (7, 6)
    assert placeholder.range.end.character == 20
    assert placeholder.code_description.href == "https://github.com/designdoc/designdoc/blob/main/docs/rules/DD010.md"
    assert placeholder.source == "designdoc"


async def test_typing_a_fix_updates_the_findings(client: LanguageClient):
    open_doc(client, SECOND_URI, SECOND)
    await until(lambda: "DD010" in codes(client, SECOND_URI), "the placeholder finding")
    # Replace `[What this is]` (UTF-16 columns 6..20 on line 7), then add the section.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=SECOND_URI, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=7, character=6), end=types.Position(line=7, character=20)),
                    text="a cache",
                ),
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=8, character=0), end=types.Position(line=8, character=0)),
                    text="\n## Risks\nStale reads.\n",
                ),
            ],
        )
    )
    left = await until(
        lambda: (c := codes(client, SECOND_URI)) and "DD010" not in c and "DD001" not in c and c,
        "the findings to update",
    )
    assert left == ["DD030"], left


async def test_code_action_inserts_the_missing_section(client: LanguageClient):
    open_doc(client, SECOND_URI, SECOND)
    await until(lambda: "DD001" in codes(client, SECOND_URI), "missing-section")
    missing = by_code(client, SECOND_URI, "DD001")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=SECOND_URI),
            range=missing.range,
            context=types.CodeActionContext(diagnostics=[missing]),
        )
    )
    titles = [a.title for a in actions]
    insert = next(a for a in actions if "insert `Risks`" in a.title)
    assert insert.is_preferred, titles
    assert any(a.title.startswith("Disable DD001") for a in actions), titles
    fixed = apply_edits(SECOND, insert.edit.changes[SECOND_URI])
    assert "## Risks\nList what could go wrong" in fixed, fixed
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=SECOND_URI, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    await until(lambda: "DD001" not in codes(client, SECOND_URI), "missing-section to go")


async def completion_labels(client: LanguageClient, uri: str, line: int, character: int) -> list[str]:
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )
    items = result.items if hasattr(result, "items") else result
    return [i.label for i in items]


async def test_completion_offers_missing_headings_and_statuses(client: LanguageClient):
    text = SECOND + "\n## "
    open_doc(client, SECOND_URI, text)
    await until(lambda: codes(client, SECOND_URI), "diagnostics")
    last = text.count("\n")
    labels = await completion_labels(client, SECOND_URI, last, 3)
    assert labels == ["Risks"], labels
    statuses = await completion_labels(client, SECOND_URI, 1, len("status: "))
    assert "approved" in statuses and "draft" in statuses, statuses


async def test_hover_shows_rule_docs_and_template_guidance(client: LanguageClient):
    open_doc(client, SECOND_URI, SECOND)
    await until(lambda: "DD010" in codes(client, SECOND_URI), "diagnostics")
    placeholder = by_code(client, SECOND_URI, "DD010")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=SECOND_URI),
            position=types.Position(line=7, character=placeholder.range.start.character + 2),
        )
    )
    assert "DD010 unfilled-placeholder" in hover.contents.value, hover.contents.value
    assert "What it does" in hover.contents.value
    # On a heading without a finding: the template's text under it.
    first_uri = (ROOT / "0001-first.md").as_uri()
    open_doc(client, first_uri, FIRST)
    heading = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=first_uri),
            position=types.Position(line=5, character=5),
        )
    )
    assert "[What this is]" in heading.contents.value, heading.contents.value


async def test_outline_and_definition(client: LanguageClient):
    open_doc(client, SECOND_URI, SECOND)
    await until(lambda: codes(client, SECOND_URI), "diagnostics")
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=SECOND_URI))
    )
    assert [s.name for s in symbols] == ["Über 😀 cache"]
    assert [c.name for c in symbols[0].children] == ["Overview"]
    line = SECOND.split("\n")[7]
    link_col = len(line[: line.index("[the first]")].encode("utf-16-le")) // 2 + 3
    target = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=SECOND_URI),
            position=types.Position(line=7, character=link_col),
        )
    )
    location = target[0] if isinstance(target, list) else target
    assert location.uri.endswith("0001-first.md"), location
    assert location.range.start.line == 8, location  # `## Risks` in FIRST


async def test_supersedes_ids_and_a_config_change(client: LanguageClient):
    third_uri = (ROOT / "0003-third.md").as_uri()
    third = "---\nstatus: draft\nsupersedes: 0001\n---\n# Third\n\n## Overview\n[What this is]\n\n## Risks\nNone.\n"
    open_doc(client, third_uri, third)
    await until(lambda: "DD010" in codes(client, third_uri), "the placeholder finding")
    target = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=third_uri),
            position=types.Position(line=2, character=len("supersedes: 00")),
        )
    )
    location = target[0] if isinstance(target, list) else target
    assert location.uri.endswith("0001-first.md"), location
    ids = await completion_labels(client, third_uri, 2, len("supersedes: "))
    assert "0001" in ids and "1" in ids, ids  # 0001-first.md's number, 0002's front matter id
    # designdoc.toml turns the placeholder rule off; saving it reloads the settings.
    config = ROOT / "designdoc.toml"
    before = config.read_text()
    try:
        config.write_text(before + 'unfilled-placeholder = "off"\n')
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config.as_uri()))
        )
        await until(lambda: "DD010" not in codes(client, third_uri), "the reloaded configuration")
    finally:
        config.write_text(before)
