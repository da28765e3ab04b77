"""The Editors, Reviewers and Publishers groups and exactly the permissions they hold.

Created after every migrate by a post_migrate handler (see apps.py), not by a
data migration: permissions do not exist yet while a fresh database migrates
(Django ticket #29843). `manage.py createeditor` also calls `ensure_groups()`.
"""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"
REVIEWERS = "Reviewers"
PUBLISHERS = "Publishers"
PUBLISH_PERMISSION = "faq.publish_answer"
# Approve or send back someone else's change (faq/workflow.py); publishers have it too.
REVIEW_PERMISSION = "faq.review_answer"

# (model, actions) in the faq app. Nothing over users, groups or other apps.
EDITOR_PERMISSIONS = {
    "question": ["view", "add", "change"],
    "answer": ["view", "add", "change"],
    "source": ["view", "add", "change", "delete"],
    # Only topics no published question uses yet (faq/admin/public.py).
    "topic": ["view", "add", "change"],
    "guide": ["view"],
    "category": ["view"],
    # simple-history checks these instead of the model's own permissions when
    # SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS is on.
    "historicalquestion": ["view"],
    "historicalanswer": ["view"],
    # Synonyms change no public text; the Searches report is read-only.
    "synonymgroup": ["view", "add", "change", "delete"],
    "historicalsynonymgroup": ["view"],
    "searchcount": ["view"],
    "historicaltopic": ["view"],
    "historicalguide": ["view"],
    "historicalcategory": ["view"],
}


# A site-wide notice is public the moment it is saved, so only publishers set it;
# guides and categories are public text that only publishers change (README "Roles").
# Publishers also delete a question (its answer with it), e.g. one found wrong:
# its history stays.
PUBLISHER_ONLY_PERMISSIONS = {
    "question": ["delete"],
    "answer": ["delete"],
    "sitenotice": ["view", "add", "change", "delete"],
    "historicalsitenotice": ["view"],
    "guide": ["change"],
    "category": ["change"],
}


def codenames(permissions):
    return [f"{action}_{model}" for model, actions in permissions.items() for action in actions]


def editor_codenames():
    return codenames(EDITOR_PERMISSIONS)


def ensure_groups():
    """Create or correct the three groups; returns (editors, reviewers, publishers).

    Editors draft and submit; Reviewers also approve or send back others'
    changes; Publishers also review, publish, schedule and publish urgently.
    """
    faq = Permission.objects.filter(content_type__app_label="faq")
    editor_perms = list(faq.filter(codename__in=editor_codenames()))
    review = list(faq.filter(codename=REVIEW_PERMISSION.split(".")[1]))
    publisher_only = [PUBLISH_PERMISSION.split(".")[1], *codenames(PUBLISHER_ONLY_PERMISSIONS)]
    publish = list(faq.filter(codename__in=publisher_only))
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.set(editor_perms)
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    reviewers.permissions.set([*editor_perms, *review])
    publishers, _ = Group.objects.get_or_create(name=PUBLISHERS)
    publishers.permissions.set([*editor_perms, *review, *publish])
    return editors, reviewers, publishers


def create_groups_after_migrate(sender, **kwargs):
    ensure_groups()
