"""Labels that Django's admin leaves out, for editors using screen readers."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _


class LabelledListEditableMixin:
    """Gives each `list_editable` box in a change list a label naming its field
    and its row ("Show on the site: <notice>"); Django renders them with none,
    and a column heading is not a label (WCAG 1.3.1, 4.1.2)."""

    def get_changelist_formset(self, request, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        names = self.list_editable

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name in names:
                    field = form.fields[name]
                    field.widget.attrs["aria-label"] = _("%(field)s: %(row)s") % {
                        "field": capfirst(field.label),
                        "row": form.instance,
                    }

        return LabelledFormSet
