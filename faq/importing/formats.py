"""Which parser reads a file, by its extension; shared by the command and the admin."""

from pathlib import PurePath

from . import markdown_front_matter, plaintext
from .document import ImportFormatError, decode

PARSERS = {".txt": plaintext.parse, ".md": markdown_front_matter.parse}


def parse_file(name, data):
    """The GuideDocument in `data`, the bytes of a file called `name`."""
    suffix = PurePath(name).suffix.lower()
    parse = PARSERS.get(suffix)
    if parse is None:
        raise ImportFormatError(
            None,
            f"unknown format “{suffix}”; import_guide reads .txt (plain text like the "
            "seed article) and .md (Markdown with front matter, as export_guide writes).",
        )
    return parse(decode(data))
