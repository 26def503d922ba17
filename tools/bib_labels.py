"""Sphinx extension: the bibliography's labels read like the citations in the text.

The book cites with ``bibtex_reference_style: author_year``, so a chapter says
"[Ng, 2011]" or "[Bricken et al., 2023]". The default formatting style labels the
entries of the bibliography page alpha-style ("[Ng11]", "[BTB+23]"), and a reader
cannot match the two. This registers a pybtex label style that builds the same
"Author, year" text (two authors joined by "and", three or more as "et al.", a
letter after the year when two entries would share a label) and a formatting
style, ``saebook``, that uses it, sorted by author, year and title.
"""

from collections import Counter
from string import ascii_lowercase

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def _surname(person):
    return (
        " ".join(person.prelast_names + person.last_names)
        .replace("{", "")
        .replace("}", "")
    )


def author_year(entry):
    """'Ng, 2011', 'Olshausen and Field, 1996', 'Bricken et al., 2023'."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_surname(p) for p in persons]
    if not names:
        who = entry.fields.get("organization") or entry.fields.get("title", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year(entry) for entry in entries]
        shared = Counter(labels)
        seen = Counter()
        for label in labels:
            if shared[label] > 1:  # Ng, 2011a and Ng, 2011b
                letter = ascii_lowercase[seen[label]]
                seen[label] += 1
                label += letter
            yield label


class Style(UnsrtStyle):
    default_label_style = "saebook_author_year"
    default_sorting_style = "author_year_title"


def setup(app):
    register_plugin("pybtex.style.labels", "saebook_author_year", AuthorYearLabelStyle)
    register_plugin("pybtex.style.formatting", "saebook", Style)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
