"""Django's makemessages, also reading the Jinja2 public templates.

Django reads templates with its own template lexer, which finds a Jinja2
`{{ _("…") }}` only when nothing follows the string: it misses strings with
placeholders (`_("Page %(number)s", number=…)`), `ngettext()`, and every
string passed to a macro. So each Jinja2 template is parsed by Jinja2 itself
(`jinja2.ext.extract_from_ast`, the extractor Babel uses) and handed to
xgettext as a few lines of Python calling gettext()/ngettext() with the same
strings on the same line numbers; the rest of makemessages (Python files,
the admin's Django templates, merging into the .po, keeping translations) is
Django's. Run it as Django's:

    .venv/bin/python manage.py makemessages -l es

Translations of strings that no longer exist are dropped (--no-obsolete is
always on); git keeps them.
"""

import os

import jinja2
from django.conf import settings
from django.core.management.commands import makemessages
from django.utils.functional import cached_property

from faq.jinja import DJANGO_TEMPLATE_PREFIXES

# Folders that hold no interface strings; tests may quote msgids on purpose.
IGNORED = ["tests", "staticfiles", "bench", "tools", "node_modules", "fixtures"]


def jinja_template_dirs():
    """The Jinja2 engine's template folders (settings.TEMPLATES)."""
    return [
        os.path.abspath(directory)
        for engine in settings.TEMPLATES
        if engine["BACKEND"] == "django.template.backends.jinja2.Jinja2"
        for directory in engine.get("DIRS", [])
    ]


def is_jinja_template(path):
    """A file the public Jinja2 engine renders (not the admin's Django templates)."""
    path = os.path.abspath(path)
    for directory in jinja_template_dirs():
        relative = os.path.relpath(path, directory)
        if not relative.startswith(".."):
            return not relative.replace(os.sep, "/").startswith(DJANGO_TEMPLATE_PREFIXES)
    return False


def jinja_messages(source):
    """(line, function, strings) for each gettext call in a Jinja2 template."""
    environment = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    tree = environment.parse(source)
    for line, function, message in jinja2.ext.extract_from_ast(tree, babel_style=True):
        strings = message if isinstance(message, tuple) else (message,)
        if all(string is None for string in strings):
            continue  # _(variable): nothing to translate ahead of time
        yield line, function, strings


PLURAL_FUNCTIONS = {"ngettext", "npgettext"}


def as_python(source):
    """Python source xgettext reads: the template's gettext calls on their lines."""
    lines = {}
    for line, function, strings in jinja_messages(source):
        # The leading string arguments (context, singular, plural); the count
        # and keyword arguments are not constants and xgettext ignores them.
        leading = []
        for string in strings:
            if string is None:
                break
            leading.append(repr(string))
        if function in PLURAL_FUNCTIONS:
            leading.append("n")
        name = "gettext" if function == "_" else function
        lines.setdefault(line, []).append(f"{name}({', '.join(leading)})")
    last = max(lines, default=0)
    return "".join("; ".join(lines.get(number, [])) + "\n" for number in range(1, last + 1))


class JinjaAwareBuildFile(makemessages.BuildFile):
    @cached_property
    def is_jinja(self):
        return self.domain == "django" and is_jinja_template(self.path)

    def preprocess(self):
        if not self.is_jinja:
            return super().preprocess()
        with open(self.path, encoding="utf-8") as template:
            content = as_python(template.read())
        with open(self.work_path, "w", encoding="utf-8") as python:
            python.write(content)


class Command(makemessages.Command):
    help = makemessages.Command.help + " Jinja2 public templates are read by Jinja2 itself."
    build_file_class = JinjaAwareBuildFile

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        options["no_obsolete"] = True
        return super().handle(*args, **options)
