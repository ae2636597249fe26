"""nbgrader settings of the course (nbgrader 0.9): this folder is the course directory.

``make grading`` installs nbgrader into ``.venv-grading/`` and copies each lecture notebook with
exercises into ``source/NN_name/NN_name.ipynb`` here; run nbgrader from this folder (README,
"Grading with nbgrader"). Everything nbgrader writes here (release/, submitted/, autograded/,
feedback/, gradebook.db) stays out of git.
"""

from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbgrader.converters import GenerateAssignment
from traitlets import Bool

from annteach.tools.student import drop_instructor_cells


class DropInstructorCells(Preprocessor):
    """Leave speaker notes and printed reference source out of the release, as the
    project's own student editions do (``annteach.tools.student.drop_instructor_cells``)."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        name = resources.get("unique_key") or "notebook"
        return drop_instructor_cells(nb, name), resources


c = get_config()  # noqa: F821 -- provided by traitlets when it loads this file

c.CourseDirectory.course_id = "annteach"
c.CourseDirectory.root = str(Path(__file__).resolve().parent)

# nbgrader's own steps, after the instructor-only cells are gone.
c.GenerateAssignment.preprocessors = [
    DropInstructorCells,
    *GenerateAssignment.class_traits()["preprocessors"].make_dynamic_default(),
]

# Autograding executes whole lectures; the slowest cell (lecture 6 classifies the
# 10,000 test digits) takes a few seconds, far more on a loaded machine.
c.Execute.timeout = 300
