"""How colours look to a viewer with a red-green colour-vision deficiency, and how far apart
two colours are: the checks behind the course palette (:mod:`annteach.plots.colors`).

* :func:`simulate_cvd` applies the matrices of Machado, Oliveira and Fernandes (2009),
  "A physiologically-based model for simulation of color vision deficiency" (IEEE TVCG 15(6)),
  at severity 1.0 (protanopia, deuteranopia), to linear RGB;
* :func:`srgb_to_lab` converts sRGB (D65) to CIELAB;
* :func:`ciede2000` is the CIE colour difference Delta E 2000 (formulas as in Sharma, Wu and
  Dalal, Color Res. Appl. 30(1), 2005);
* :func:`closest_pair` finds the two least distinguishable colours of a set.

numpy only.
"""

import numpy as np

__all__ = ["CVD_MATRICES", "ciede2000", "closest_pair", "simulate_cvd", "srgb_to_lab", "to_rgb"]

#: Machado et al. (2009) simulation matrices at severity 1.0, acting on linear RGB columns.
CVD_MATRICES = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}  # fmt: skip

# sRGB (linear) -> CIE XYZ, D65 white.
_RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])  # fmt: skip
_WHITE_D65 = _RGB_TO_XYZ.sum(axis=1)


def to_rgb(colors):
    """Colours as an array of sRGB values in [0, 1].

    Parameters
    ----------
    colors : str or sequence
        One ``"#rrggbb"`` string, a sequence of them, or an array of shape
        (..., 3) of sRGB values in [0, 1].

    Returns
    -------
    ndarray, shape (..., 3)
    """
    if isinstance(colors, str):
        colors = [colors]
        single = True
    else:
        single = False
    if len(colors) and isinstance(colors[0], str):
        rgb = []
        for c in colors:
            if not (isinstance(c, str) and len(c) == 7 and c[0] == "#"):
                raise ValueError(f"expected a colour as '#rrggbb', got {c!r}")
            rgb.append([int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)])
        rgb = np.array(rgb)
    else:
        rgb = np.asarray(colors, dtype=np.float64)
    if rgb.shape[-1:] != (3,) or np.any(rgb < 0) or np.any(rgb > 1):
        raise ValueError(f"sRGB values must have shape (..., 3) and lie in [0, 1], got "
                         f"shape {rgb.shape}")
    return rgb[0] if single else rgb


def _linear(rgb):
    rgb = np.asarray(rgb, dtype=np.float64)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _gamma(linear):
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def simulate_cvd(colors, kind):
    """How ``colors`` appear with a colour-vision deficiency.

    Parameters
    ----------
    colors : str, sequence of str or array_like, shape (..., 3)
        sRGB colours (see :func:`to_rgb`).
    kind : {"protanopia", "deuteranopia"}
        The deficiency (severity 1.0: the missing cone type).

    Returns
    -------
    ndarray, shape (..., 3)
        The simulated sRGB colours in [0, 1] (clipped where the simulation leaves the gamut).
    """
    if kind not in CVD_MATRICES:
        raise ValueError(f"unknown deficiency {kind!r}; choose from {sorted(CVD_MATRICES)}")
    linear = _linear(to_rgb(colors))
    return _gamma(linear @ CVD_MATRICES[kind].T)


def srgb_to_lab(colors):
    """CIELAB (D65) coordinates of sRGB colours.

    Parameters
    ----------
    colors : str, sequence of str or array_like, shape (..., 3)

    Returns
    -------
    ndarray, shape (..., 3)
        ``L*`` in [0, 100], ``a*``, ``b*``.
    """
    xyz = _linear(to_rgb(colors)) @ _RGB_TO_XYZ.T / _WHITE_D65
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    L = 116 * f[..., 1] - 16
    a = 500 * (f[..., 0] - f[..., 1])
    b = 200 * (f[..., 1] - f[..., 2])
    return np.stack([L, a, b], axis=-1)


def ciede2000(lab1, lab2):
    """CIE Delta E 2000 between CIELAB colours (k_L = k_C = k_H = 1).

    About 1 is a just noticeable difference between two large patches side by side.

    Parameters
    ----------
    lab1, lab2 : array_like, shape (..., 3)
        ``L*, a*, b*`` (broadcast against each other).

    Returns
    -------
    ndarray, shape (...)
    """
    lab1, lab2 = np.broadcast_arrays(np.asarray(lab1, dtype=np.float64),
                                     np.asarray(lab2, dtype=np.float64))
    L1, a1, b1 = np.moveaxis(lab1, -1, 0)
    L2, a2, b2 = np.moveaxis(lab2, -1, 0)
    C_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    G = 0.5 * (1 - np.sqrt(C_mean**7 / (C_mean**7 + 25.0**7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dLp = L2 - L1
    dCp = C2p - C1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(C1p * C2p == 0, 0.0, dh)
    dHp = 2 * np.sqrt(C1p * C2p) * np.sin(np.radians(dh) / 2)
    Lp_mean = (L1 + L2) / 2
    Cp_mean = (C1p + C2p) / 2
    h_sum = h1p + h2p
    h_mean = np.where(np.abs(h1p - h2p) <= 180, h_sum / 2,
                      np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2))
    h_mean = np.where(C1p * C2p == 0, h_sum, h_mean)
    T = (1 - 0.17 * np.cos(np.radians(h_mean - 30)) + 0.24 * np.cos(np.radians(2 * h_mean))
         + 0.32 * np.cos(np.radians(3 * h_mean + 6)) - 0.20 * np.cos(np.radians(4 * h_mean - 63)))
    d_theta = 30 * np.exp(-(((h_mean - 275) / 25) ** 2))
    R_C = 2 * np.sqrt(Cp_mean**7 / (Cp_mean**7 + 25.0**7))
    S_L = 1 + 0.015 * (Lp_mean - 50) ** 2 / np.sqrt(20 + (Lp_mean - 50) ** 2)
    S_C = 1 + 0.045 * Cp_mean
    S_H = 1 + 0.015 * Cp_mean * T
    R_T = -np.sin(np.radians(2 * d_theta)) * R_C
    return np.sqrt((dLp / S_L) ** 2 + (dCp / S_C) ** 2 + (dHp / S_H) ** 2
                   + R_T * (dCp / S_C) * (dHp / S_H))


def closest_pair(colors, vision=None):
    """The two least distinguishable colours of a set, and their Delta E 2000.

    Parameters
    ----------
    colors : sequence of str, length >= 2
        ``"#rrggbb"`` colours.
    vision : {None, "protanopia", "deuteranopia"}
        Compare the colours as seen with this deficiency (None: normal vision).

    Returns
    -------
    (str, str, float)
        The two colours (as given) and their difference.
    """
    colors = list(colors)
    if len(colors) < 2:
        raise ValueError(f"need at least two colours, got {len(colors)}")
    rgb = to_rgb(colors) if vision is None else simulate_cvd(colors, vision)
    lab = srgb_to_lab(rgb)
    best = None
    for i in range(len(colors)):
        for j in range(i + 1, len(colors)):
            d = float(ciede2000(lab[i], lab[j]))
            if best is None or d < best[2]:
                best = (colors[i], colors[j], d)
    return best
