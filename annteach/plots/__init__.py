"""Plot helpers for the lecture notebooks (matplotlib, imported on first use).

Every helper draws into the axes (``ax=``) or, for multi-panel pictures,
the figure (``fig=``) it is given, or into a new figure when that is None;
it returns what it drew (the artists, or the axes of a multi-panel figure),
describes what it drew for screen readers (:func:`describe`, replaceable by
the notebook) and never calls ``plt.show()``. Each topic has its own module;
the names are re-exported here so notebooks can write ``at.plots.NAME``.

The course's look lives in :mod:`.style` (``at.plots.use_course_style()`` in
every setup cell: slide-sized type, retina figures with their text
alternatives) and :mod:`.colors` (one colour per concept).
"""

from . import colors  # noqa: F401
from .activations import plot_activation, plot_activation_grid  # noqa: F401
from .alt import alt_text, describe  # noqa: F401
from .boundary import DecisionBoundary, plot_decision_boundary  # noqa: F401
from .cnn import (  # noqa: F401
    plot_convolution,
    plot_feature_maps,
    plot_filters,
    plot_filters_and_maps,
    plot_misclassified,
)
from .comparison import plot_errors_vs_params  # noqa: F401
from .digits import plot_digit_gallery, tile_images  # noqa: F401
from .progress import LiveTrainingPlot, plot_training_progress, progress_line  # noqa: F401
from .style import (  # noqa: F401
    FIGSIZE,
    course_style,
    figure_png,
    smallest_font_pt,
    text_height_px,
    use_course_style,
)
from .surfaces import plot_error_contour, plot_error_surface, plot_sample_errors  # noqa: F401
from .training import plot_confusion_matrix, plot_learning_curve  # noqa: F401
from .xor import (  # noqa: F401
    XOR_COLORS,
    draw_xor_network,
    plot_network_boundary,
    plot_xor_data,
    plot_xor_line,
)
