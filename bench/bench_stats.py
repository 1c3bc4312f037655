"""Statistics shared by the bench scripts' reports (bench/l7_ab.sh, bench/l7_toggle.sh)."""
import random
import statistics


def median_interval(xs, reps=4000):
    """95 % bootstrap interval of the median of xs (resampled with a fixed seed)."""
    rng = random.Random(1)
    meds = sorted(statistics.median(rng.choices(xs, k=len(xs))) for _ in range(reps))
    return meds[int(0.025 * reps)], meds[int(0.975 * reps) - 1]
