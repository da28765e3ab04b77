"""The admin's "Import a guide" screen, for Publishers: upload, preview, confirm.

The preview is the real import run inside a transaction that is rolled back,
so it shows exactly what confirming does. The confirmed form carries the
file's text back (re-parsed and re-checked), so nothing is kept on the
server between the two steps.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..importing.apply import check_document, import_document
from ..importing.document import MAX_FILE_BYTES, ImportFormatError
from ..importing.formats import parse_file
from ..models import Guide
from ..roles import PUBLISH_PERMISSION

STATUS_LABELS = {
    "new": gettext_lazy("New: imported as a draft"),
    "unchanged": gettext_lazy("Unchanged"),
    "changed": gettext_lazy(
        "Changed: not yet published, so the file's version is saved on the question "
        "(its history keeps the earlier one)"
    ),
    "changed_as_draft": gettext_lazy(
        "Changed: the file's version becomes a draft to publish; the public page stays as it is"
    ),
    "skipped": gettext_lazy("Skipped"),
    "deleted": gettext_lazy("Deleted since it was imported: stays deleted"),
}
DIFF_CONTEXT = 25  # unchanged words kept beside each change in the preview


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Guide file"),
        help_text=gettext_lazy(
            "Plain text written like the seed article (.txt), or Markdown with front matter "
            "as export_guide writes it (.md); at most 1 MB. Nothing is imported until you "
            "confirm the preview."
        ),
    )


class ConfirmForm(forms.Form):
    file_name = forms.CharField(widget=forms.HiddenInput)
    content = forms.CharField(widget=forms.HiddenInput, strip=False)


def import_guide_view(model_admin, request):
    if not request.user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Import a guide"),
        "opts": Guide._meta,
    }
    upload = UploadForm()
    if request.method == "POST" and "confirm" in request.POST:
        confirm = ConfirmForm(request.POST)
        if confirm.is_valid():
            name = confirm.cleaned_data["file_name"]
            try:
                with transaction.atomic():
                    document = parse_file(name, confirm.cleaned_data["content"].encode())
                    report = import_document(document, name, user=request.user)
            except ImportFormatError as error:
                upload.errors["file"] = upload.error_class([f"{name}: {error}"])
            else:
                messages.success(
                    request,
                    _(
                        "Imported %(file)s: %(new)d new question(s) as drafts, %(changed)d "
                        "changed question(s) waiting to be published; nothing public changed."
                    )
                    % {
                        "file": name,
                        "new": report.count("new"),
                        "changed": report.count("changed"),
                    },
                )
                return redirect("admin:faq_guide_changelist")
    elif request.method == "POST":
        upload = UploadForm(request.POST, request.FILES)
        if upload.is_valid():
            uploaded = upload.cleaned_data["file"]
            data = uploaded.read(MAX_FILE_BYTES + 1)
            try:
                document = parse_file(uploaded.name, data)
                check_document(document)
            except ImportFormatError as error:
                upload.add_error("file", f"{uploaded.name}: {error}")
            else:
                return preview(request, context, uploaded.name, data, document)
    context["upload"] = upload
    return TemplateResponse(request, "admin/faq/guide/import.html", context)


def preview(request, context, name, data, document):
    with transaction.atomic():
        report = import_document(document, name, user=request.user)
        transaction.set_rollback(True)
    rows = [
        {
            "outcome": outcome,
            "label": STATUS_LABELS[
                f"{outcome.status}_as_draft" if outcome.as_draft else outcome.status
            ],
            "differences": outcome.differences(DIFF_CONTEXT),
        }
        for outcome in report.questions
    ]
    context.update(
        report=report,
        rows=rows,
        confirm=ConfirmForm(initial={"file_name": name, "content": data.decode("utf-8-sig")}),
    )
    return TemplateResponse(request, "admin/faq/guide/import.html", context)
