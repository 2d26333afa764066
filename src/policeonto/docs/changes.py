"""The site's page of vocabulary changes: for this version against the release before it, and for each
tagged release against the one before, the terms and codes added, removed, deprecated and changed, and
whether data valid under the earlier release stays valid (what ``policeonto diff`` reports).

The earlier releases are read from the project's git history (a tag ``vX.Y.Z``, else the commit where the
schema's version was first set), so the page is the same for the same checkout.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from linkml_runtime.utils.schemaview import SchemaView

from policeonto.build.owl_fixes import release_versions
from policeonto.releases import Release, compare, diff_releases, least_next_version, prior_release, read_schema
from policeonto.releases.render import as_markdown
from policeonto.releases.sources import release_schema, tagged_releases

__all__ = ["changes_page"]

_INTRO = """# Vocabulary changes

Each release of the vocabulary has a [semantic version](https://semver.org/): a release that may make valid
data invalid (a term or code removed, a range narrowed, a new required property, a tighter pattern, rule or
cardinality) has a new major version (a new minor one before 1.0.0); one that only adds or deprecates terms
a new minor version. A deprecated term keeps its IRI, marked `owl:deprecated` with `dcterms:isReplacedBy`
naming what replaces it. Each list below is what `policeonto diff` reports; run it on your own copy of an
earlier release to see what changed since (see [Building the artefacts](reference/build.md)).
"""


def _where(release: Release) -> str:
    if release.tagged:
        return f"Compared with the release tagged `v{release.version}` (commit `{release.commit[:12]}`)."
    return (
        f"No release is tagged `v{release.version}`: compared with commit `{release.commit[:12]}`, where the "
        f"schema's version was first set to {release.version}."
    )


def changes_page(root: Path, view: SchemaView) -> str:
    """The Markdown page of the changes of each release, for the project checkout at *root* whose current
    schema is *view*.

    Raises:
        BuildError: the schema's versions are not semantic versions in order.
    """
    version, prior = release_versions(view)
    sections = [_INTRO]
    if prior is None:
        sections.append(f"## {version}\n\nThis is the first release of the vocabulary.\n")
    else:
        release = prior_release(root, prior)
        if release is None:
            sections.append(
                f"## {version} against {prior}\n\nRelease {prior} is not in this checkout's git history (no tag "
                f"`v{prior}`, no commit with that version), so its changes cannot be listed here.\n"
            )
        else:
            with release_schema(release.commit, root=root) as old:
                diff = compare(read_schema(old, named=release.commit), view)
            least = least_next_version(prior, diff)
            note = f"{_where(release)} Semantic versioning asks for at least {least} after these changes."
            sections.append(as_markdown(diff, note=note))
    tagged = [r for r in tagged_releases(root) if r.version != version]
    for older, newer in reversed(list(pairwise(tagged))):
        diff = diff_releases(older.commit, newer.commit, root=root)
        sections.append(as_markdown(diff, note=f"{_where(newer)} {_where(older)}"))
    if not tagged:
        sections.append("No release of the vocabulary is tagged in git yet.\n")
    return "\n".join(sections)
