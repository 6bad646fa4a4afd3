"""Sphinx extension of the book (loaded by ``_config.yml``, ``sphinx.local_extensions``).

- **Chapter links on the API page.** Docstrings name their chapter as a path,
  ````book/regression/mse.ipynb````; in the rendered docstring that path becomes a
  ``:doc:`` link to the chapter (a wrong path is a broken reference, which the build test
  turns into an error).
- **Author-year bibliography.** Citations read "Kingma and Ba, 2015" (sphinxcontrib-bibtex's
  ``author_year`` reference style); the bibliography's labels read the same, and an author
  list that ends in BibTeX's ``and others`` reads "et al." in both, not "and others".
- **Inline scripts once.** Sphinx 7.4 emits every inline script that an extension adds
  after the builder starts twice (``Sphinx.add_js_file(None, body=...)`` reaches the
  builder as ``None`` and again, from the registry, as ``''``; fixed in Sphinx 8.2,
  sphinx-doc/sphinx#13402). sphinx-thebe's ``const THEBE_JS_URL`` declared twice is a
  ``SyntaxError`` on every page; the duplicates are dropped from each page's scripts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pybtex.plugin
import sphinxcontrib.bibtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels.alpha import LabelStyle as AlphaLabelStyle
from pybtex.style.template import FieldIsMissing, first_of, node, optional, sentence, tag
from pybtex.style.template import field as bib_field
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

# ---------------------------------------------------------------- chapter links

_CHAPTER_PATH = re.compile(r"``(book/[\w/-]+)\.(?:ipynb|md)``")


def _link_chapters(app, what, name, obj, options, lines):
    lines[:] = [_CHAPTER_PATH.sub(r":doc:`/\1`", line) for line in lines]


# ---------------------------------------------------------------- bibliography


def _is_others(person) -> bool:
    return str(person) == "others"


@node
def _names(children, data, role, format_person, sep=", ", sep2=" and ", last_sep=", and ", other=None):
    """The persons of ``role``, joined; "et al." for BibTeX's ``and others``, and after the
    first person when ``other`` is given and there are three persons or more."""
    assert not children
    try:
        persons = data["entry"].persons[role]
    except KeyError:
        raise FieldIsMissing(role, data["entry"]) from None
    parts = [format_person(p).format_data(data) for p in persons if not _is_others(p)]
    truncated = len(parts) < len(persons)
    if other is not None and (truncated or len(parts) > 2):
        return Text(parts[0], other)
    if truncated:
        return Text(Text(sep).join(parts), sep if len(parts) > 1 else " ", "et al.")
    if len(parts) <= 1:
        return Text(*parts)
    if len(parts) == 2:
        return Text(sep2).join(parts)
    return Text(last_sep).join([Text(sep).join(parts[:-1]), parts[-1]])


class BibliographyStyle(UnsrtStyle):
    """pybtex's unsrt entries, with "et al." for ``and others`` and author-year labels."""

    default_label_style = "lossbook_author_year"
    default_sorting_style = "author_year_title"

    def format_names(self, role, as_sentence=True):
        formatted = _names(role=role, format_person=lambda p: self.format_name(p, self.abbreviate_names))
        return sentence[formatted] if as_sentence else formatted


class AuthorYearLabelStyle(AlphaLabelStyle):
    """Labels that read like the citations: "Barron, 2019", "Huber and Ronchetti, 2009",
    "Guo et al., 2017" (a letter is appended where two labels would be equal)."""

    _last = pybtex.plugin.find_plugin("pybtex.style.names", "last")()

    def format_label(self, entry):
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [self._last.format(p, abbr=True).format().render_as("text") for p in persons if not _is_others(p)]
        if not names:
            who = entry.fields.get("key", entry.key)
        elif len(names) > 2 or len(names) < len(persons):
            who = f"{names[0]} et al."
        else:
            who = " and ".join(names)
        return f"{who}, {entry.fields['year']}" if "year" in entry.fields else who


class _PersonStyle(PersonStyle):
    def names(self, role, full):
        return _names(
            role=role,
            format_person=lambda p: self.style_plugin.format(p, self.abbreviate),
            sep=self.sep,
            sep2=self.sep2,
            last_sep=self.last_sep,
            other=None if full else self.other,
        )

    def author_or_editor_or_title(self, full):
        return first_of[optional[self.names("author", full)], optional[self.names("editor", full)], tag("em")[bib_field("title")]]


@dataclass
class CitationStyle(AuthorYearReferenceStyle):
    """sphinxcontrib-bibtex's ``author_year`` citations, with "et al." for ``and others``."""

    person: PersonStyle = field(default_factory=_PersonStyle)


pybtex.plugin.register_plugin("pybtex.style.formatting", "lossbook", BibliographyStyle)
pybtex.plugin.register_plugin("pybtex.style.labels", "lossbook_author_year", AuthorYearLabelStyle)
sphinxcontrib.bibtex.plugin.register_plugin("sphinxcontrib.bibtex.style.referencing", "lossbook_author_year", CitationStyle)

# ---------------------------------------------------------------- scripts once


def _scripts_once(app, pagename, templatename, context, doctree):
    scripts, seen = context.get("script_files"), set()
    if scripts is None:
        return
    kept = []
    for js in scripts:
        key = (js.filename or "", js.priority, tuple(sorted(js.attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept


def setup(app):
    app.connect("autodoc-process-docstring", _link_chapters)
    app.connect("html-page-context", _scripts_once, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
