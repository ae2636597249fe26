"""Interactive explorers for the lecture notebooks (ipywidgets 8 and matplotlib).

One class per explorer; display one (the last value of a cell) to get its
controls above its figure, or pass ``static=True`` for the same view drawn once
into a pyplot figure, for slides and web viewers, where widgets do not run::

    at.widgets.XorExplorer()                 # sliders for the XOR net's weights
    at.widgets.XorExplorer(static=True)      # its picture
    ex = at.widgets.XorExplorer()
    ex.controls["w5"].value = 3.0            # same as dragging the slider

The numbers drawn come from :mod:`annteach.views` and the rest of the package;
the drawing machinery is :mod:`annteach.widgets.engine`. matplotlib and
ipywidgets are imported when an explorer is made.
"""

from .activations import ActivationExplorer
from .digits import DigitExplorer
from .training import TrainingExplorer
from .xor import XorExplorer

__all__ = ["ActivationExplorer", "DigitExplorer", "TrainingExplorer", "XorExplorer"]
