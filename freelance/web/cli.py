"""Command line, through Flask's CLI: ``flask --app server freelancers import roster.xlsx`` and
``flask --app server documents generate sow data.json -o out.docx``.

Exit codes suit scripts: 0 done, 1 the input was refused (the reasons on stderr), 2 bad usage.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import AppGroup
from openpyxl import load_workbook

from ..errors import DomainError, InvalidData
from ..roster.importing import import_roster
from ..roster.service import Query
from .services import services

freelancers = AppGroup("freelancers", help="The freelancer roster.")
documents = AppGroup("documents", help="Generated documents.")
_TENANT = click.option(
    "--tenant",
    default="local",
    show_default=True,
    help="The tenant (Entra ID tenant id) whose roster and documents these are.",
)


def _refused(error: DomainError) -> NoReturn:
    """Print what was refused and why on stderr, and exit 1."""
    click.echo(f"error: {error.message}", err=True)
    for problem in error.problems if isinstance(error, InvalidData) else []:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


def _rows_in(path: Path) -> int:
    """Roughly how many rows the file has, for the progress bar (0 when it cannot tell: the import
    itself then says what is wrong with the file)."""
    with path.open("rb") as file:
        if file.read(2) != b"PK":
            file.seek(0)
            return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))
    try:
        workbook = load_workbook(path, read_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        return 0
    try:
        return workbook.worksheets[0].max_row or 0
    finally:
        workbook.close()


@freelancers.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what would happen; write nothing.")
@click.option(
    "--rate-unit",
    type=click.Choice(["hour", "day"]),
    default=None,
    help="The unit of a rate when neither its cell nor its column's header says.",
)
@_TENANT
def import_command(path: Path, dry_run: bool, rate_unit: str | None, tenant: str) -> None:
    """Import a roster file (CSV or .xlsx): all rows upserted by email, or none."""
    try:
        with (
            path.open("rb") as stream,
            click.progressbar(length=_rows_in(path), label="Importing", file=sys.stderr) as bar,
        ):
            result = import_roster(
                services().roster,
                tenant,
                stream,
                path.name,
                dry_run=dry_run,
                progress=lambda row: bar.update(max(row - bar.pos, 0)),
                rate_unit=rate_unit,
            )
    except DomainError as error:
        _refused(error)
    counts = result.counts
    verb = "would create" if dry_run else "created"
    click.echo(f"{verb} {counts.created}, updated {counts.updated}, unchanged {counts.unchanged}")
    if result.ignored_columns:
        click.echo(f"ignored columns: {', '.join(result.ignored_columns)}", err=True)


@documents.command("generate")
@click.argument("arguments", nargs=-1, required=True, metavar="[TEMPLATE] DATA_FILE")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the document (default: its own file name, here).",
)
@click.option("--format", "format", type=click.Choice(["docx", "xlsx", "pdf"]), default=None, help="pdf: as PDF/A.")
@_TENANT
def generate_command(arguments: tuple[str, ...], output: Path | None, format: str | None, tenant: str) -> None:
    """Generate a document and record it. DATA_FILE is a JSON file of the data of TEMPLATE (e.g. sow), or
    the API's body, {"template", "data", "format"?}, which names the template itself (see examples/)."""
    if len(arguments) > 2:
        raise click.UsageError("Give at most a template and a data file.")
    template, path = (None, arguments[0]) if len(arguments) == 1 else arguments
    try:
        with open(path, encoding="utf-8") as data_file:
            data = json.load(data_file)
    except OSError as exc:
        raise click.BadParameter(f"{path!r} cannot be read: {exc.strerror}", param_hint="DATA_FILE") from None
    except ValueError as exc:
        click.echo(f"error: {path} is not valid JSON: {exc}", err=True)
        sys.exit(1)
    if _is_body(data):
        if template is not None and template != data["template"]:
            raise click.UsageError(f"{path} is for template {data['template']!r}, not {template!r}.")
        template, format, data = data["template"], format or data.get("format"), data["data"]
    elif template is None:
        raise click.UsageError('Name the template, or give the API\'s body form: {"template": ..., "data": ...}.')
    try:
        recorded = services().generator.generate(tenant, template, data, format=format)
    except DomainError as error:
        _refused(error)
    generated = recorded.generated
    target = output or Path(generated.filename)
    target.write_bytes(generated.content)
    click.echo(f"{target} ({generated.sha256}, record {recorded.record.id})")


def _is_body(data: object) -> bool:
    """Whether ``data`` is the API's request body (a template, its data, perhaps a format), not bare data."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("template"), str)
        and isinstance(data.get("data"), dict)
        and set(data) <= {"template", "data", "format"}
    )


@documents.command("batch")
@click.argument("template")
@click.argument("data_file", type=click.File("r", encoding="utf-8"))
@click.option(
    "--freelancers",
    "freelancer_ids",
    required=True,
    help="The roster ids of the freelancers, separated by commas (or 'all' for the whole active roster).",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The zip to write."
)
@click.option("--format", "format", type=click.Choice(["docx", "pdf"]), default=None, help="pdf: each as PDF/A.")
@_TENANT
def batch_command(template: str, data_file, freelancer_ids: str, output: Path, format: str | None, tenant: str) -> None:
    """Generate TEMPLATE for each freelancer, filled with the JSON file's data and each one's details, into a zip."""
    try:
        data = json.load(data_file)
    except ValueError as exc:
        click.echo(f"error: {data_file.name} is not valid JSON: {exc}", err=True)
        sys.exit(1)
    batches = services().batches
    chosen = (
        {"roster": Query(status="active")}
        if freelancer_ids.strip().lower() == "all"
        else {"freelancer_ids": [part.strip() for part in freelancer_ids.split(",") if part.strip()]}
    )
    try:
        progress = batches.create(tenant, template, data, format=format, **chosen)
        with click.progressbar(length=progress.batch.total, label="Generating", file=sys.stderr) as bar:
            while progress.status in ("pending", "running"):
                time.sleep(0.2)
                progress = batches.progress(tenant, str(progress.batch.id))
                bar.update(progress.counts["done"] + progress.counts["failed"] - bar.pos)
        _, chunks = batches.archive(tenant, str(progress.batch.id), partial=True)
        with output.open("wb") as zip_file:
            for chunk in chunks:
                zip_file.write(chunk)
    except DomainError as error:
        _refused(error)
    for item in progress.failures:
        click.echo(f"{item.freelancer_name or item.freelancer_id}: {item.error}", err=True)
    click.echo(f"{output}: {progress.counts['done']} documents, {progress.counts['failed']} failed")
    sys.exit(1 if progress.counts["failed"] else 0)
