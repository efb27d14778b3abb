"""The benchmark suite of src/objectives/functions/ in Python, for the Optuna side of the benchmark.

Mirrors the TypeScript definitions operation for operation, so the two agree to rounding; the
benchmark evaluates both on the same points and refuses to run if they differ. Values are -f,
to be maximized.
"""
import math

GOLDEN = 0.6180339887498949
DEFAULT_PLACEMENT = ((0.15, 0.35), "both")
STYBLINSKI_TANG_MINIMIZER = -2.903534027771177
STYBLINSKI_TANG_TERM_MINIMUM = -39.16616570377141
SCHWEFEL_MINIMIZER = 420.9687463599821
SCHWEFEL_TERM_MAXIMUM = 418.98288727243374
FEW_BLOCKS_WEIGHTS = (4, 2.5, 1.5, 1, 0.6)
FEW_BLOCKS_COUPLING = 0.8


def sphere(z):
    s = 0.0
    for v in z:
        s += v * v
    return s


def ellipsoid(z):
    d = len(z)
    s = 0.0
    for i in range(d):
        s += 10 ** ((6 * i) / (d - 1)) * z[i] * z[i]
    return s


def rosenbrock(z):
    s = 0.0
    for i in range(len(z) - 1):
        a = z[i + 1] - z[i] * z[i]
        b = z[i] - 1
        s += 100 * a * a + b * b
    return s


def ackley(z):
    d = len(z)
    squares = 0.0
    cosines = 0.0
    for v in z:
        squares += v * v
        cosines += math.cos(2 * math.pi * v)
    return -20 * math.exp(-0.2 * math.sqrt(squares / d)) - math.exp(cosines / d) + 20 + math.e


def rastrigin(z):
    s = 10.0 * len(z)
    for v in z:
        s += v * v - 10 * math.cos(2 * math.pi * v)
    return s


def levy(z):
    d = len(z)
    w = [1 + (v - 1) / 4 for v in z]
    s = math.sin(math.pi * w[0]) ** 2
    for i in range(d - 1):
        s += (w[i] - 1) ** 2 * (1 + 10 * math.sin(math.pi * w[i] + 1) ** 2)
    s += (w[d - 1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[d - 1]) ** 2)
    return s


def styblinski_tang(z):
    s = 0.0
    for v in z:
        s += v ** 4 - 16 * v * v + 5 * v
    return s / 2


def griewank(z):
    total = 0.0
    product = 1.0
    for i, v in enumerate(z):
        total += (v * v) / 4000
        product *= math.cos(v / math.sqrt(i + 1))
    return 1 + total - product


def schwefel(z):
    s = 0.0
    for v in z:
        s += SCHWEFEL_TERM_MAXIMUM - v * math.sin(math.sqrt(abs(v)))
    return s


def few_blocks_active(dim):
    k = min(len(FEW_BLOCKS_WEIGHTS), dim)
    return [math.floor(((j + 0.5) * dim) / k) for j in range(k)]


def few_blocks(z):
    y = [z[i] for i in few_blocks_active(len(z))]
    w = FEW_BLOCKS_WEIGHTS
    s = 0.0
    for j in range(len(y)):
        s += w[j] * y[j] * y[j] + 0.5 * w[j] * (1 - math.cos(2 * math.pi * y[j]))
        if j + 1 < len(y):
            s += FEW_BLOCKS_COUPLING * math.sqrt(w[j] * w[j + 1]) * y[j] * y[j + 1]
    return s


# name: (f, classical width, per-coordinate minimizer, placement (distance from 1/2, sides), phase)
FAMILIES = {
    "sphere": (sphere, 10.24, 0, DEFAULT_PLACEMENT, 0),
    "ellipsoid": (ellipsoid, 10.24, 0, DEFAULT_PLACEMENT, 0.1),
    "rosenbrock": (rosenbrock, 15, 1, DEFAULT_PLACEMENT, 0.2),
    "ackley": (ackley, 65.536, 0, DEFAULT_PLACEMENT, 0.3),
    "rastrigin": (rastrigin, 10.24, 0, DEFAULT_PLACEMENT, 0.4),
    "levy": (levy, 20, 1, DEFAULT_PLACEMENT, 0.5),
    "styblinski-tang": (styblinski_tang, 10, STYBLINSKI_TANG_MINIMIZER, DEFAULT_PLACEMENT, 0.6),
    "griewank": (griewank, 1200, 0, DEFAULT_PLACEMENT, 0.7),
    "schwefel": (schwefel, 1000, SCHWEFEL_MINIMIZER, ((0.28, 0.4), "high"), 0.8),
    "few-blocks": (few_blocks, 4, 0, DEFAULT_PLACEMENT, 0.9),
}


def optimum_offsets(dim, placement, phase):
    (near, far), sides = placement
    offsets = []
    for i in range(dim):
        v = ((i + 1) * GOLDEN + phase) % 1
        if sides == "high":
            offsets.append(0.5 + near + (far - near) * v)
        else:
            side = -1 if v < 0.5 else 1
            offsets.append(0.5 + side * (near + (far - near) * ((2 * v) % 1)))
    return offsets


def make_function(name, dim):
    """The unit-cube function `name` at dimension `dim`: x -> -f(z), as in shifted.ts."""
    f, width, minimizer, placement, phase = FAMILIES[name]
    offsets = optimum_offsets(dim, placement, phase)

    def evaluate(x):
        if len(x) != dim:
            raise ValueError(f"{name}: expected a point of dimension {dim}, got {len(x)}")
        z = [minimizer + width * ((u if i % 2 == 0 else 1 - u) - offsets[i]) for i, u in enumerate(x)]
        return -f(z)

    return evaluate
