"""12345 import and export, by sub-domain: parsing (profiles, rows), pipeline (batches), jobs (a job's life), export.

The public names are re-exported here, so `from hotline import services; services.import_job_run(...)` reads as
before; a test that replaces a function patches the module that looks it up (e.g. services.pipeline)."""

from .export import EXPORT_HEADER, export_rows, export_workbook, rejections_workbook
from .jobs import (
    import_job_create,
    import_job_fail,
    import_job_launch,
    import_job_run,
    import_job_start,
    import_preview,
)
from .parsing import DEFAULT_PROFILE_NAME, RowParser, check_header, default_profile, parse_datetime_text
from .pipeline import BATCH_SIZE, read_ahead

__all__ = [
    "BATCH_SIZE", "DEFAULT_PROFILE_NAME", "EXPORT_HEADER", "RowParser", "check_header", "default_profile",
    "export_rows", "export_workbook", "import_job_create", "import_job_fail", "import_job_launch", "import_job_run",
    "import_job_start", "import_preview", "parse_datetime_text", "read_ahead", "rejections_workbook",
]
