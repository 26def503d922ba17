"""Sphinx extension: a reference to another chapter's exercise works in the PDF.

sphinx-exercise (1.2.1) labels an exercise ``exercise:<label>`` in LaTeX and turns
references to it into links with the exercise's number, but only references from
the exercise's own chapter (a ``refid``). A reference from another chapter (chapter
5 to chapter 2's "write your own backprop", chapter 14 to chapter 10's scaling
exercise) carries a ``refuri`` instead, which Sphinx's LaTeX writer prints as
``\\ref`` to a label that does not exist: "Exercise ??" in the PDF. The HTML book
resolves both kinds. In the PDF the whole book is one document, so this turns such
a reference into the same-chapter kind, just before sphinx-exercise handles those.
"""

from sphinx.addnodes import number_reference
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise.nodes import exercise_enumerable_node


class CrossChapterExerciseReferences(SphinxPostTransform):
    """For LaTeX, point references to other chapters' exercises at their label."""

    # sphinx-exercise's ResolveLinkTextToSolutions, which handles refid links,
    # runs at priority 22.
    default_priority = 21
    formats = ("latex",)

    def run(self, **kwargs):
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in self.document.findall(number_reference):
            uri = node.get("refuri", "")
            if not uri.startswith("%") or "#" not in uri:
                continue  # a link out of the book, or no link
            target = registry.get(uri.split("#", 1)[1], {}).get("node")
            if isinstance(target, exercise_enumerable_node):
                del node["refuri"]
                node["refid"] = target["label"]


def setup(app):
    app.add_post_transform(CrossChapterExerciseReferences)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
