"""Importing the procedure catalogue from a spreadsheet (XLSX or CSV).

Agencies receive their catalogue of administrative procedures as a spreadsheet. The import
reads it into a *plan* — per row: create, update, unchanged, or the errors found — and
writes nothing. Only when the user confirms a plan without errors is every row saved, in
one transaction, through ``services.procedure_save`` (same checks as the form, history on
every row). A bad file changes nothing.

One row per procedure. Headers may be in English or Vietnamese (see ``COLUMNS``). Multi-
valued cells separate their items by new lines or ";":

* steps: ``name | department code | allowance`` — allowance in working days, or hours with
  an "h" (``4h``);
* dossier: ``name (copies)`` — an item starting with "*" is optional;
* legal basis: numbers of external documents already in the register.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from documents.models import ExternalDocument
from procedures import services
from procedures.choices import AllowanceUnit, Level
from procedures.models import Procedure, Process
from qms.models import Department

MAX_ROWS = 5000
COLUMNS = {
    "code": ("code", "mã thủ tục", "ma thu tuc", "mã"),
    "national_code": ("national code", "mã tthc quốc gia", "mã quốc gia", "mã csdl quốc gia"),
    "name": ("name", "tên thủ tục", "ten thu tuc"),
    "field": ("field", "lĩnh vực", "linh vuc"),
    "level": ("level", "cấp thực hiện", "cấp"),
    "department": ("department", "đơn vị thực hiện", "cơ quan thực hiện"),
    "statutory_days": (
        "statutory days",
        "statutory time",
        "thời hạn giải quyết",
        "thời hạn giải quyết (ngày làm việc)",
        "thời hạn",
    ),
    "fees": ("fees", "phí, lệ phí", "phí", "lệ phí"),
    "applicants": ("applicants", "đối tượng thực hiện"),
    "result": ("result", "kết quả", "kết quả thực hiện"),
    "process": ("process", "quy trình"),
    "steps": ("steps", "các bước", "trình tự thực hiện", "quy trình nội bộ"),
    "dossier": ("dossier", "thành phần hồ sơ"),
    "legal_basis": ("legal basis", "căn cứ pháp lý"),
}
REQUIRED = ("code", "name", "field", "department", "statutory_days", "steps")
LEVELS = {
    "national": Level.NATIONAL,
    "trung ương": Level.NATIONAL,
    "cấp trung ương": Level.NATIONAL,
    "provincial": Level.PROVINCIAL,
    "cấp tỉnh": Level.PROVINCIAL,
    "tỉnh": Level.PROVINCIAL,
    "district": Level.DISTRICT,
    "cấp huyện": Level.DISTRICT,
    "huyện": Level.DISTRICT,
    "commune": Level.COMMUNE,
    "cấp xã": Level.COMMUNE,
    "xã": Level.COMMUNE,
}
_SPLIT = re.compile(r"\s*(?:\n|;)\s*")


@dataclass
class PlannedRow:
    number: int
    code: str = ""
    name: str = ""
    action: str = ""  # "create", "update", "unchanged" or "" when the row has errors
    errors: list[str] = field(default_factory=list)
    procedure: Procedure | None = None
    steps: list[services.StepData] = field(default_factory=list)
    dossier: list[services.DossierData] = field(default_factory=list)
    legal_basis: list[ExternalDocument] = field(default_factory=list)


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def ok(self) -> bool:
        return not self.problems and all(not row.errors for row in self.rows) and bool(self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)


# --- Reading the file ----------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_rows(name: str, content: bytes) -> list[list[str]]:
    if name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("The CSV file is not in UTF-8: save it as “CSV UTF-8”.")
            ) from exc
        return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))]
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001  (any unreadable workbook is the same to the user)
            raise ValidationError(_("This file cannot be read as an Excel workbook.")) from exc
        sheet = workbook.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    raise ValidationError(_("Choose an Excel (.xlsx) or CSV file."))


def _header_map(header: list[str]) -> tuple[dict[str, int], list[str]]:
    wanted = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = wanted.get(" ".join(title.lower().split()))
        if key and key not in found:
            found[key] = index
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in found]
    return found, missing


# --- Planning -----------------------------------------------------------------------


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _steps(text: str, departments: dict[str, Department], row: PlannedRow) -> None:
    for item in filter(None, _SPLIT.split(text)):
        parts = [part.strip() for part in item.split("|")]
        if len(parts) != 3:
            row.errors.append(
                _("Step “%(step)s”: write it as “name | department code | days”.") % {"step": item}
            )
            continue
        name, code, allowance = parts
        unit = AllowanceUnit.DAYS
        if allowance.lower().endswith("h"):
            unit, allowance = AllowanceUnit.HOURS, allowance[:-1].strip()
        value = _decimal(allowance)
        department = departments.get(code.lower()) if code else None
        if value is None or value <= 0:
            row.errors.append(
                _("Step “%(step)s”: the time allowed must be a number above zero.") % {"step": name}
            )
        elif code and department is None:
            row.errors.append(
                _("Step “%(step)s”: no department has the code %(code)s.")
                % {"step": name, "code": code}
            )
        else:
            row.steps.append(
                services.StepData(name=name, allowance=value, unit=unit, department=department)
            )


def _dossier(text: str, row: PlannedRow) -> None:
    for item in filter(None, _SPLIT.split(text)):
        required = not item.startswith("*")
        item = item.lstrip("*").strip()
        copies = ""
        match = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", item)
        if match:
            item, copies = match.group(1), match.group(2)
        row.dossier.append(
            services.DossierData(name=item[:500], copies=copies[:100], required=required)
        )


def _same(procedure: Procedure, values: dict, row: PlannedRow) -> bool:
    if any(getattr(procedure, key) != value for key, value in values.items()):
        return False
    steps = [
        (s.name, s.department_id, s.allowance, s.unit) for s in procedure.steps.order_by("position")
    ]
    wanted = [
        (s.name, s.department.pk if s.department else None, s.allowance, s.unit) for s in row.steps
    ]
    dossier = [(d.name, d.copies, d.required) for d in procedure.dossier.order_by("position")]
    wanted_dossier = [(d.name, d.copies, d.required) for d in row.dossier]
    legal = {e.pk for e in procedure.legal_basis.all()}
    return (
        steps == wanted and dossier == wanted_dossier and legal == {e.pk for e in row.legal_basis}
    )


def plan_rows(rows: list[list[str]]) -> Plan:
    plan = Plan()
    if not rows:
        plan.problems.append(_("The file is empty."))
        return plan
    columns, missing = _header_map(rows[0])
    if missing:
        plan.problems.append(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
        return plan
    body = [row for row in rows[1:] if any(row)]
    if len(body) > MAX_ROWS:
        plan.problems.append(
            _("At most %(limit)s procedures per file; this one has %(count)s.")
            % {"limit": MAX_ROWS, "count": len(body)}
        )
        return plan
    departments = {d.code.lower(): d for d in Department.objects.filter(is_active=True)}
    processes = {p.code.lower(): p for p in Process.objects.all()}
    externals = {e.number.lower(): e for e in ExternalDocument.objects.all()}
    existing = {
        p.code: p for p in Procedure.objects.prefetch_related("steps", "dossier", "legal_basis")
    }
    seen: set[str] = set()
    for number, raw in enumerate(rows[1:], start=2):
        if not any(raw):
            continue

        def value(key: str, raw=raw) -> str:
            index = columns.get(key)
            return raw[index] if index is not None and index < len(raw) else ""

        row = PlannedRow(number=number, code=value("code")[:40], name=value("name")[:500])
        for key in REQUIRED:
            if not value(key):
                row.errors.append(_("“%(column)s” is empty.") % {"column": COLUMNS[key][0]})
        if row.code and row.code in seen:
            row.errors.append(
                _("The code %(code)s appears twice in the file.") % {"code": row.code}
            )
        seen.add(row.code)
        department = departments.get(value("department").lower())
        if value("department") and department is None:
            row.errors.append(
                _("No department has the code %(code)s.") % {"code": value("department")}
            )
        process = None
        if value("process"):
            process = processes.get(value("process").lower())
            if process is None:
                row.errors.append(
                    _("No process has the code %(code)s.") % {"code": value("process")}
                )
        level = Level.PROVINCIAL
        if value("level"):
            level = LEVELS.get(" ".join(value("level").lower().split()))
            if level is None:
                row.errors.append(_("Unknown level: %(level)s.") % {"level": value("level")})
        days_text = value("statutory_days")
        days = int(days_text) if days_text.isdecimal() else None
        if days_text and (days is None or days < 1 or days > 1000):
            row.errors.append(
                _("The statutory time must be a whole number of working days: %(value)s.")
                % {"value": days_text}
            )
        _steps(value("steps"), departments, row)
        _dossier(value("dossier"), row)
        for reference in filter(None, _SPLIT.split(value("legal_basis"))):
            external = externals.get(reference.lower())
            if external is None:
                row.errors.append(
                    _("%(number)s is not in the register of external documents.")
                    % {"number": reference}
                )
            else:
                row.legal_basis.append(external)
        if days and row.steps and not row.errors:
            try:
                services.check_steps_fit(row.steps, days)
            except ValidationError as error:
                row.errors.extend(error.messages)
        if row.errors:
            plan.rows.append(row)
            continue
        values = {
            "national_code": value("national_code")[:40],
            "name": row.name,
            "field": value("field")[:200],
            "level": level,
            "department": department,
            "process": process,
            "statutory_days": days,
            "fees": value("fees"),
            "applicants": value("applicants"),
            "result": value("result"),
        }
        current = existing.get(row.code)
        if current is None:
            row.action = "create"
            row.procedure = Procedure(code=row.code, **values)
        elif _same(current, values, row):
            row.action = "unchanged"
            row.procedure = current
        else:
            row.action = "update"
            for key, new in values.items():
                setattr(current, key, new)
            row.procedure = current
        plan.rows.append(row)
    if not plan.rows:
        plan.problems.append(_("The file has no procedures below its header row."))
    return plan


# --- Keeping the upload between preview and confirmation ----------------------------


def store_upload(upload) -> str:
    """Keep the file until the user confirms; returns the token naming it."""
    limit = settings.QMS_MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(size)s MB.") % {"size": settings.QMS_MAX_UPLOAD_MB}
        )
    suffix = ".csv" if upload.name.lower().endswith(".csv") else ".xlsx"
    token = f"{uuid.uuid4().hex}{suffix}"
    default_storage.save(f"imports/{token}", ContentFile(upload.read()))
    return token


def _token_path(token: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{32}\.(csv|xlsx)", token or ""):
        raise ValidationError(_("This import has expired; upload the file again."))
    path = f"imports/{token}"
    if not default_storage.exists(path):
        raise ValidationError(_("This import has expired; upload the file again."))
    return path


def plan_stored(token: str) -> Plan:
    path = _token_path(token)
    with default_storage.open(path, "rb") as handle:
        return plan_rows(_read_rows(token, handle.read()))


def plan_upload(name: str, content: bytes) -> Plan:
    return plan_rows(_read_rows(name, content))


def apply_stored(*, actor, token: str) -> Plan:
    """Save every row of a plan without errors, all or nothing, then forget the file."""
    services._require(actor)
    plan = plan_stored(token)
    if not plan.ok:
        raise ValidationError(_("The file has errors; nothing was imported."))
    with transaction.atomic():
        for row in plan.rows:
            if row.action == "unchanged":
                continue
            services.procedure_save(
                actor=actor,
                procedure=row.procedure,
                steps=row.steps,
                dossier=row.dossier,
                version=row.procedure.version if row.procedure.pk else None,
                legal_basis=row.legal_basis,
            )
    default_storage.delete(_token_path(token))
    return plan


def clear_abandoned(older_than_hours: int = 24) -> int:
    """Delete previews nobody confirmed (the nightly task); returns how many."""
    from datetime import timedelta

    from django.utils import timezone

    if not default_storage.exists("imports"):
        return 0
    limit = timezone.now() - timedelta(hours=older_than_hours)
    removed = 0
    for name in default_storage.listdir("imports")[1]:
        path = f"imports/{name}"
        if default_storage.get_modified_time(path) < limit:
            default_storage.delete(path)
            removed += 1
    return removed
