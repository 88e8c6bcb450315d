"""ISO 9001:2015 clauses: the reference every module links to (documents, audits, findings)."""

from django.utils.translation import gettext_lazy as _

CLAUSES: list[tuple[str, str]] = [
    ("4.1", _("Understanding the organization and its context")),
    ("4.2", _("Understanding the needs and expectations of interested parties")),
    ("4.3", _("Determining the scope of the quality management system")),
    ("4.4", _("Quality management system and its processes")),
    ("5.1", _("Leadership and commitment")),
    ("5.2", _("Policy")),
    ("5.3", _("Organizational roles, responsibilities and authorities")),
    ("6.1", _("Actions to address risks and opportunities")),
    ("6.2", _("Quality objectives and planning to achieve them")),
    ("6.3", _("Planning of changes")),
    ("7.1", _("Resources")),
    ("7.2", _("Competence")),
    ("7.3", _("Awareness")),
    ("7.4", _("Communication")),
    ("7.5", _("Documented information")),
    ("8.1", _("Operational planning and control")),
    ("8.2", _("Requirements for products and services")),
    ("8.3", _("Design and development of products and services")),
    ("8.4", _("Control of externally provided processes, products and services")),
    ("8.5", _("Production and service provision")),
    ("8.6", _("Release of products and services")),
    ("8.7", _("Control of nonconforming outputs")),
    ("9.1", _("Monitoring, measurement, analysis and evaluation")),
    ("9.2", _("Internal audit")),
    ("9.3", _("Management review")),
    ("10.1", _("Improvement: general")),
    ("10.2", _("Nonconformity and corrective action")),
    ("10.3", _("Continual improvement")),
]
TITLES = dict(CLAUSES)


# What an internal auditor looks at for each clause, in the agency's words (not ISO's text).
GUIDANCE: dict[str, str] = {
    "4.1": _(
        "Ask how the office tracks the issues that affect its service: laws, budget, "
        "staffing, digital transformation, and when it last reviewed them."
    ),
    "4.2": _(
        "Check that citizens, businesses and supervising bodies are identified with their "
        "requirements, and that these are kept up to date."
    ),
    "4.3": _(
        "Compare the published scope of the quality system with the administrative "
        "procedures the office actually handles."
    ),
    "4.4": _(
        "Check the process map: each procedure has an owner, inputs, outputs, time limits "
        "in working days and measures that are followed."
    ),
    "5.1": _(
        "Ask the head how they take part: decisions on quality, resources given, "
        "management reviews chaired."
    ),
    "5.2": _(
        "Check that the quality policy is approved, published and known by the staff you interview."
    ),
    "5.3": _(
        "Check that duties and authorities for each step of the procedures are assigned "
        "in writing and known."
    ),
    "6.1": _(
        "Look at the risk register: risks to on-time results and legal compliance, their "
        "actions and whether these were done."
    ),
    "6.2": _(
        "Check that quality objectives are measurable (e.g. on-time rate), have owners "
        "and deadlines, and are measured."
    ),
    "6.3": _(
        "Ask how recent changes (new decree, new software, reorganisation) were planned "
        "before being made."
    ),
    "7.1": _(
        "Check that staff, equipment, software and the one-stop counter are enough for "
        "the workload and maintained."
    ),
    "7.2": _(
        "Check training records and the competence required for each role against the "
        "people actually doing the work."
    ),
    "7.3": _(
        "Ask staff what the quality policy and objectives mean for their work and what "
        "happens when a case is late."
    ),
    "7.4": _(
        "Check what is communicated to citizens (procedures, fees, time limits) and "
        "inside the office, by whom and when."
    ),
    "7.5": _(
        "Check that procedures and forms in use are the current approved revisions, "
        "obsolete copies are withdrawn, and case files keep the required records."
    ),
    "8.1": _("Sample cases and check they followed the procedure's steps and time limits."),
    "8.2": _(
        "Check that requirements for each service (documents needed, fees, time limits) "
        "are published and applied the same way at every counter."
    ),
    "8.3": _(
        "If the office designs new services or procedures, check the plan, reviews and "
        "approval before release."
    ),
    "8.4": _(
        "Check how outsourced work (postal delivery, software providers, consultants) is "
        "selected and monitored."
    ),
    "8.5": _(
        "Sample cases from receipt to result: receipt slip, control sheet, each step's "
        "time, result returned on the promised date."
    ),
    "8.6": _(
        "Check who checks and signs a result before it is returned to the citizen, and "
        "that this is recorded."
    ),
    "8.7": _(
        "Ask how wrong or late results are detected, held and corrected, and look at the "
        "records of such cases."
    ),
    "9.1": _(
        "Check on-time rates, citizen feedback and complaints: measured, analysed and "
        "used for decisions."
    ),
    "9.2": _(
        "Check the audit programme covers every department and clause within the cycle, "
        "and that earlier findings were followed up."
    ),
    "9.3": _(
        "Check the minutes of the last management review: inputs covered, decisions taken "
        "and their follow-up."
    ),
    "10.1": _("Ask which improvements were made this year and where the ideas came from."),
    "10.2": _(
        "Sample nonconformities: correction, root cause, actions done on time and "
        "effectiveness verified."
    ),
    "10.3": _(
        "Look at trends over time (on-time rate, complaints, repeat findings) for "
        "evidence of continual improvement."
    ),
}


def guidance_for(number: str) -> str:
    """The auditor's guidance for a clause, in the active language ("" if none)."""
    text = GUIDANCE.get(number)
    return str(text) if text else ""


def sort_key(number: str) -> int:
    major, minor = number.split(".")
    return int(major) * 100 + int(minor)
