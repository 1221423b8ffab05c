using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Data.Synthetic;

/// <summary>
/// The measured features of one video, from which the oracle's scores are made. Every feature is computed from the
/// pixels and the prompt alone; nothing tells the oracle which generator (or model) made the video.
/// </summary>
/// <param name="NoiseLevel">VQ: estimated standard deviation of pixel noise (median absolute residual after a 3×3 median filter, divided by 0.73).</param>
/// <param name="Sharpness">VQ: mean colour step between neighbouring pixels across the object's half-coverage contour, divided by the object's peak contrast, mean over frames (high for a crisp edge, lower when blurred).</param>
/// <param name="Jerk">MQ: mean length of the second difference of the object's centroid track, in pixels at 16 px (0 for uniform straight motion).</param>
/// <param name="Flicker">MQ: root-mean-square frame-to-frame change of the log background brightness, divided by √2.</param>
/// <param name="Stillness">MQ: penalty for an object that barely moves, max(0, 0.1 − travel / side) × 10.</param>
/// <param name="ColourAgreement">TA: cosine between the object's colour offset from the background and the prompt colour's offset.</param>
/// <param name="DirectionAgreement">TA: cosine between the fitted velocity and the prompt's direction (0 when the object does not move).</param>
/// <param name="SpeedAgreement">TA: −|ln(travel / prompted travel)|, clamped at −3.</param>
/// <param name="ShapeAgreement">TA: −|fill − expected fill| / 0.25, where fill is the object mask's share of its bounding box.</param>
/// <param name="SizeAgreement">TA: −|ln(mask area / prompted area)|, clamped at −3.</param>
/// <param name="ObjectFound">Whether an object was found in at least two frames.</param>
public readonly record struct OracleFeatures(
    double NoiseLevel,
    double Sharpness,
    double Jerk,
    double Flicker,
    double Stillness,
    double ColourAgreement,
    double DirectionAgreement,
    double SpeedAgreement,
    double ShapeAgreement,
    double SizeAgreement,
    bool ObjectFound);

/// <summary>
/// The oracle judge of the synthetic world: (video, prompt) → scores for VQ, MQ and TA. It is the ground truth every
/// later finding is judged by, so its definition is frozen and versioned (<see cref="Version"/>).
/// </summary>
/// <remarks>
/// <para>The oracle first removes noise with a 3×3 median filter per channel and frame, estimates each frame's
/// background colour as the per-channel median (objects cover less than half the frame) and its brightness gain
/// against <see cref="SyntheticVocabulary.Background"/>, and finds the object as the pixels far from the background.</para>
/// <para><b>VQ</b> = 2 · <see cref="OracleFeatures.Sharpness"/> − 10 · <see cref="OracleFeatures.NoiseLevel"/>:
/// noise energy and edge sharpness.</para>
/// <para><b>MQ</b> = −0.8 · <see cref="OracleFeatures.Jerk"/> − 8 · <see cref="OracleFeatures.Flicker"/> −
/// <see cref="OracleFeatures.Stillness"/>: trajectory smoothness, flicker, and a penalty on still scenes (the paper's
/// "dynamic degree").</para>
/// <para><b>TA</b> = −√(colour angle / 10°) − √(direction angle / 10°) + 0.6 · shape + 0.3 · speed + 0.3 · size
/// agreement, where the angles are those whose cosines are <see cref="OracleFeatures.ColourAgreement"/> and
/// <see cref="OracleFeatures.DirectionAgreement"/> (see <see cref="AngleError"/>).</para>
/// <para>Raw scores are z-normalised with <see cref="OracleNormalization"/> statistics fitted on the world's reference
/// set; the Overall score is the mean of the three z-scores. See docs/synthetic-world.md.</para>
/// </remarks>
public sealed class Oracle
{
    /// <summary>The oracle's version, recorded in results. Any change to a feature, weight or the world's vocabulary bumps it.</summary>
    public const string Version = "1.2";

    /// <summary>An oracle that z-normalises with <paramref name="normalization"/> (null: only raw scores are available).</summary>
    public Oracle(OracleNormalization? normalization = null) => Normalization = normalization;

    /// <summary>The z-normalisation statistics, from the world's reference set.</summary>
    public OracleNormalization? Normalization { get; }

    /// <summary>Z-normalised scores of a video for a prompt; Overall is their mean.</summary>
    /// <exception cref="InvalidOperationException">When the oracle has no normalisation.</exception>
    public OracleScores Score(Video video, SyntheticPrompt prompt)
    {
        var normalization = Normalization
            ?? throw new InvalidOperationException("This oracle has no normalisation statistics; use ScoreRaw or SyntheticWorld.Oracle.");
        return normalization.Normalize(ScoreRaw(video, prompt));
    }

    /// <summary>Z-normalised scores of a video given as C, T, H, W values and shape.</summary>
    public OracleScores Score(float[] data, VideoShape shape, SyntheticPrompt prompt) => Score(new Video(shape, data), prompt);

    /// <summary>Z-normalised scores for a prompt given as text; it must be a synthetic-world prompt.</summary>
    /// <exception cref="ArgumentException">When the text is not a prompt of the synthetic world.</exception>
    public OracleScores Score(Video video, string promptText) => Score(video, ParsePrompt(promptText));

    /// <summary>Raw (unnormalised) scores of a video for a prompt.</summary>
    public static OracleScores ScoreRaw(Video video, SyntheticPrompt prompt) => Combine(Features(video, prompt));

    /// <summary>The weighted sums that turn features into raw scores (see the class remarks).</summary>
    public static OracleScores Combine(OracleFeatures f) => new(
        VQ: 2 * f.Sharpness - 10 * f.NoiseLevel,
        MQ: -0.8 * f.Jerk - 8 * f.Flicker - f.Stillness,
        TA: -AngleError(f.ColourAgreement) - AngleError(f.DirectionAgreement) + 0.6 * f.ShapeAgreement + 0.3 * f.SpeedAgreement + 0.3 * f.SizeAgreement);

    /// <summary>
    /// √(θ / 10°) for the angle θ whose cosine is given: the square root spreads small errors (a slight tint, a few
    /// degrees off course) and compresses gross ones (a wrong colour or direction), which are still clearly worse.
    /// </summary>
    public static double AngleError(double cosine) => Math.Sqrt(Math.Acos(Math.Clamp(cosine, -1, 1)) * 180 / Math.PI / 10);

    private static SyntheticPrompt ParsePrompt(string promptText) =>
        SyntheticPrompt.TryParse(promptText, out var prompt)
            ? prompt!
            : throw new ArgumentException($"'{promptText}' is not a prompt of the synthetic world; the oracle judges only those.", nameof(promptText));

    /// <summary>Measures the oracle's features of a video (C = 3, any T ≥ 2, H, W).</summary>
    public static OracleFeatures Features(Video video, SyntheticPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(prompt);
        var shape = video.Shape;
        if (shape.Channels != 3 || shape.Frames < 2)
        {
            throw new ArgumentException($"The oracle judges RGB videos of at least 2 frames, got shape {shape}.", nameof(video));
        }

        var (denoised, noiseLevel) = Denoise(video);
        var (background, gain) = Background(denoised, shape.Frames);
        var colour = ObjectColour(denoised, background, gain, shape, prompt);
        var track = TrackObject(denoised, colour, gain, noiseLevel, shape);
        var flicker = Flicker(gain);
        var motion = track.FoundCount >= 2 ? Motion(track, shape, prompt) : ObjectMotion.NotFound;
        return new OracleFeatures(
            NoiseLevel: noiseLevel,
            Sharpness: motion.Sharpness,
            Jerk: motion.Jerk,
            Flicker: flicker,
            Stillness: motion.Stillness,
            ColourAgreement: colour.Agreement,
            DirectionAgreement: motion.DirectionAgreement,
            SpeedAgreement: motion.SpeedAgreement,
            ShapeAgreement: motion.ShapeAgreement,
            SizeAgreement: motion.SizeAgreement,
            ObjectFound: track.FoundCount >= 2);
    }

    /// <summary>1. Denoises every plane with a 3×3 median filter, and estimates the noise from what the filter removed.</summary>
    private static (double[][][] Denoised, double NoiseLevel) Denoise(Video video)
    {
        int frames = video.Shape.Frames, height = video.Shape.Height, width = video.Shape.Width, plane = video.Shape.PlaneLength;
        var denoised = new double[3][][];
        var residuals = new double[plane];
        var noiseSum = 0.0;
        for (var c = 0; c < 3; c++)
        {
            denoised[c] = new double[frames][];
            for (var t = 0; t < frames; t++)
            {
                var source = video.Plane(c, t);
                var filtered = Median3x3(source, height, width);
                for (var i = 0; i < plane; i++)
                {
                    residuals[i] = Math.Abs(source[i] - filtered[i]);
                }

                noiseSum += MedianInPlace(residuals);
                denoised[c][t] = filtered;
            }
        }

        return (denoised, noiseSum / (3 * frames) / 0.73);
    }

    /// <summary>2. Background colour (the per-channel median) and brightness gain per frame.</summary>
    private static (double[][] Background, double[] Gain) Background(double[][][] denoised, int frames)
    {
        var background = new double[frames][];
        var gain = new double[frames];
        var referenceBrightness = (SyntheticVocabulary.Background[0] + SyntheticVocabulary.Background[1] + SyntheticVocabulary.Background[2]) / 3.0;
        for (var t = 0; t < frames; t++)
        {
            background[t] = new double[3];
            for (var c = 0; c < 3; c++)
            {
                background[t][c] = Median(denoised[c][t]);
            }

            gain[t] = Math.Max((background[t][0] + background[t][1] + background[t][2]) / 3.0 / referenceBrightness, 0.05);
        }

        return (background, gain);
    }

    /// <summary>What step 3 finds: every pixel's colour distance from its frame's background, and the object's colour.</summary>
    private sealed record ColourMeasure(double[][] Distance, double Contrast, double Agreement);

    /// <summary>3. The object's colour offset from the background, weighted towards clearly-object pixels, against the prompt's colour.</summary>
    private static ColourMeasure ObjectColour(double[][][] denoised, double[][] background, double[] gain, VideoShape shape, SyntheticPrompt prompt)
    {
        int frames = shape.Frames, plane = shape.PlaneLength;
        var offset = new double[3];
        var offsetWeight = 0.0;
        var distance = new double[frames][];
        for (var t = 0; t < frames; t++)
        {
            distance[t] = new double[plane];
            for (var i = 0; i < plane; i++)
            {
                double d0 = denoised[0][t][i] - background[t][0], d1 = denoised[1][t][i] - background[t][1], d2 = denoised[2][t][i] - background[t][2];
                var dist = Math.Sqrt(d0 * d0 + d1 * d1 + d2 * d2) / gain[t];
                distance[t][i] = dist;
                var weight = SmoothStep(0.08, 0.25, dist);
                weight *= weight;
                offset[0] += weight * d0 / gain[t];
                offset[1] += weight * d1 / gain[t];
                offset[2] += weight * d2 / gain[t];
                offsetWeight += weight;
            }
        }

        var contrast = 0.0;
        if (offsetWeight > 1e-6)
        {
            for (var c = 0; c < 3; c++)
            {
                offset[c] /= offsetWeight;
            }

            contrast = Math.Sqrt(offset[0] * offset[0] + offset[1] * offset[1] + offset[2] * offset[2]);
        }

        var targetOffset = new double[3];
        for (var c = 0; c < 3; c++)
        {
            targetOffset[c] = SyntheticVocabulary.ColourValues[prompt.Colour][c] - SyntheticVocabulary.Background[c];
        }

        return new ColourMeasure(distance, contrast, contrast > 0.05 ? Cosine(offset, targetOffset) : 0.0);
    }

    /// <summary>What step 4 finds per frame: where the object is (its centroid, where found) and sums over the frames it was found in.</summary>
    private sealed record ObjectTrack(double[] CentroidX, double[] CentroidY, bool[] Found, int FoundCount, double FillSum, double AreaSum, double SharpnessSum);

    /// <summary>
    /// 4. Per frame: coverage relative to the frame's peak distance above a noise floor, centroid, mask fill and area
    /// (the half-coverage contour), and edge sharpness across that contour.
    /// </summary>
    private static ObjectTrack TrackObject(double[][][] denoised, ColourMeasure colour, double[] gain, double noiseLevel, VideoShape shape)
    {
        int frames = shape.Frames, height = shape.Height, width = shape.Width;
        var distance = colour.Distance;
        var floor = 0.04 + 2.5 * noiseLevel;
        var centroidX = new double[frames];
        var centroidY = new double[frames];
        var found = new bool[frames];
        double fillSum = 0, areaSum = 0, sharpnessSum = 0;
        var foundCount = 0;
        var coverage = new double[shape.PlaneLength];
        for (var t = 0; t < frames; t++)
        {
            var peak = distance[t].Max();
            if (colour.Contrast <= 0.05 || peak < floor + 0.1)
            {
                continue;
            }

            double mass = 0, sumX = 0, sumY = 0;
            int maskCount = 0, minX = width, maxX = -1, minY = height, maxY = -1;
            for (var h = 0; h < height; h++)
            {
                for (var w = 0; w < width; w++)
                {
                    var i = h * width + w;
                    var weight = Math.Clamp((distance[t][i] - floor) / (peak - floor), 0, 1);
                    coverage[i] = weight;
                    mass += weight;
                    sumX += weight * w;
                    sumY += weight * h;
                    if (weight >= 0.5)
                    {
                        maskCount++;
                        (minX, maxX, minY, maxY) = (Math.Min(minX, w), Math.Max(maxX, w), Math.Min(minY, h), Math.Max(maxY, h));
                    }
                }
            }

            found[t] = true;
            foundCount++;
            centroidX[t] = sumX / mass;
            centroidY[t] = sumY / mass;
            fillSum += maskCount / (double)((maxX - minX + 1) * (maxY - minY + 1));
            areaSum += maskCount;
            sharpnessSum += Math.Min(MeanContourStep(denoised, coverage, t, height, width) / (peak * gain[t]), 1.5);
        }

        return new ObjectTrack(centroidX, centroidY, found, foundCount, fillSum, areaSum, sharpnessSum);
    }

    /// <summary>5a. Flicker: the root-mean-square frame-to-frame change of the log background brightness, divided by √2.</summary>
    private static double Flicker(double[] gain)
    {
        var flickerSum = 0.0;
        for (var t = 1; t < gain.Length; t++)
        {
            var change = Math.Log(gain[t] / gain[t - 1]);
            flickerSum += change * change;
        }

        return Math.Sqrt(flickerSum / (gain.Length - 1)) / Math.Sqrt(2);
    }

    /// <summary>The features of the object's track (step 5b), or their values when no object was found.</summary>
    private sealed record ObjectMotion(double Jerk, double Stillness, double DirectionAgreement, double SpeedAgreement, double ShapeAgreement, double SizeAgreement, double Sharpness)
    {
        public static ObjectMotion NotFound { get; } = new(0, 1, 0, -3, -4, -3, 0);
    }

    /// <summary>5b. Jerk, travel and velocity from the centroid track, and the shape, size and sharpness over the frames the object was found in.</summary>
    private static ObjectMotion Motion(ObjectTrack track, VideoShape shape, SyntheticPrompt prompt)
    {
        var frames = shape.Frames;
        var side = Math.Min(shape.Height, shape.Width);
        var scale = side / SyntheticRenderer.ReferenceSide;
        var (centroidX, centroidY, found, foundCount) = (track.CentroidX, track.CentroidY, track.Found, track.FoundCount);
        double jerkSum = 0;
        var jerkCount = 0;
        for (var t = 1; t + 1 < frames; t++)
        {
            if (found[t - 1] && found[t] && found[t + 1])
            {
                var ax = centroidX[t + 1] - 2 * centroidX[t] + centroidX[t - 1];
                var ay = centroidY[t + 1] - 2 * centroidY[t] + centroidY[t - 1];
                jerkSum += Math.Sqrt(ax * ax + ay * ay);
                jerkCount++;
            }
        }

        var jerk = jerkCount > 0 ? jerkSum / jerkCount / scale : 0;

        // Least-squares velocity over the frames where the object was found.
        double meanT = 0, meanX = 0, meanY = 0;
        for (var t = 0; t < frames; t++)
        {
            if (found[t])
            {
                meanT += t;
                meanX += centroidX[t];
                meanY += centroidY[t];
            }
        }

        (meanT, meanX, meanY) = (meanT / foundCount, meanX / foundCount, meanY / foundCount);
        double stt = 0, stx = 0, sty = 0;
        for (var t = 0; t < frames; t++)
        {
            if (found[t])
            {
                stt += (t - meanT) * (t - meanT);
                stx += (t - meanT) * (centroidX[t] - meanX);
                sty += (t - meanT) * (centroidY[t] - meanY);
            }
        }

        var (vx, vy) = (stx / stt, sty / stt);
        var travel = Math.Sqrt(vx * vx + vy * vy) * (frames - 1);
        var (dx, dy) = SyntheticVocabulary.DirectionVector(prompt.Direction);
        var promptedTravel = SyntheticVocabulary.TravelFraction(prompt.Speed) * side;
        var expectedArea = SyntheticVocabulary.Area(prompt.Shape, SyntheticVocabulary.RadiusFraction(prompt.Size) * side);
        return new ObjectMotion(
            Jerk: jerk,
            Stillness: Math.Max(0, 0.1 - travel / side) * 10,
            DirectionAgreement: travel > 0.05 * side ? (vx * dx + vy * dy) / Math.Sqrt(vx * vx + vy * vy) : 0,
            SpeedAgreement: Math.Max(-Math.Abs(Math.Log((travel + 1e-3) / promptedTravel)), -3),
            ShapeAgreement: -Math.Abs(track.FillSum / foundCount - SyntheticVocabulary.FillRatio(prompt.Shape)) / 0.25,
            SizeAgreement: Math.Max(-Math.Abs(Math.Log(track.AreaSum / foundCount / expectedArea)), -3),
            Sharpness: track.SharpnessSum / foundCount);
    }

    private static double SmoothStep(double edge0, double edge1, double x)
    {
        var u = Math.Clamp((x - edge0) / (edge1 - edge0), 0, 1);
        return u * u * (3 - 2 * u);
    }

    private static double Cosine(double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    /// <summary>
    /// The mean colour-vector step between horizontally or vertically adjacent pixels of a denoised frame that lie on
    /// either side of the half-coverage contour (one pixel's coverage ≥ 0.5, the other's below).
    /// </summary>
    private static double MeanContourStep(double[][][] denoised, double[] coverage, int t, int height, int width)
    {
        double sum = 0;
        var count = 0;
        void Pair(int i, int j)
        {
            if ((coverage[i] >= 0.5) == (coverage[j] >= 0.5))
            {
                return;
            }

            var step = 0.0;
            for (var c = 0; c < 3; c++)
            {
                var d = denoised[c][t][i] - denoised[c][t][j];
                step += d * d;
            }

            sum += Math.Sqrt(step);
            count++;
        }

        for (var h = 0; h < height; h++)
        {
            for (var w = 0; w < width; w++)
            {
                var i = h * width + w;
                if (w + 1 < width)
                {
                    Pair(i, i + 1);
                }

                if (h + 1 < height)
                {
                    Pair(i, i + width);
                }
            }
        }

        return count > 0 ? sum / count : 0;
    }

    private static double[] Median3x3(ReadOnlySpan<float> source, int height, int width)
    {
        var result = new double[height * width];
        for (var h = 0; h < height; h++)
        {
            int up = Math.Max(h - 1, 0) * width, row = h * width, down = Math.Min(h + 1, height - 1) * width;
            for (var w = 0; w < width; w++)
            {
                int left = Math.Max(w - 1, 0), right = Math.Min(w + 1, width - 1);
                result[row + w] = MedianOf9(
                    source[up + left], source[up + w], source[up + right],
                    source[row + left], source[row + w], source[row + right],
                    source[down + left], source[down + w], source[down + right]);
            }
        }

        return result;
    }

    /// <summary>The median of nine values (see <see cref="MedianOf9(double, double, double, double, double, double, double, double, double)"/>).</summary>
    internal static double MedianOf9(ReadOnlySpan<double> p) => MedianOf9(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]);

    /// <summary>The median of nine values by a 19-exchange selection network (Paeth; Devillard's opt_med9), in registers.</summary>
    internal static double MedianOf9(double p0, double p1, double p2, double p3, double p4, double p5, double p6, double p7, double p8)
    {
        Order(ref p1, ref p2); Order(ref p4, ref p5); Order(ref p7, ref p8);
        Order(ref p0, ref p1); Order(ref p3, ref p4); Order(ref p6, ref p7);
        Order(ref p1, ref p2); Order(ref p4, ref p5); Order(ref p7, ref p8);
        Order(ref p0, ref p3); Order(ref p5, ref p8); Order(ref p4, ref p7);
        Order(ref p3, ref p6); Order(ref p1, ref p4); Order(ref p2, ref p5);
        Order(ref p4, ref p7); Order(ref p4, ref p2); Order(ref p6, ref p4);
        Order(ref p4, ref p2);
        return p4;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Order(ref double a, ref double b)
    {
        if (a > b)
        {
            (a, b) = (b, a);
        }
    }

    private static double Median(double[] values)
    {
        var copy = (double[])values.Clone();
        return MedianInPlace(copy);
    }

    /// <summary>
    /// The median of <paramref name="values"/> (the mean of the two middle values for an even count) by quickselect
    /// (Hoare partition, median-of-three pivot), O(n); reorders the values.
    /// </summary>
    internal static double MedianInPlace(Span<double> values)
    {
        var n = values.Length;
        if (n == 0)
        {
            throw new ArgumentException("The median of no values is undefined.", nameof(values));
        }

        var upper = Select(values, n / 2);
        if (n % 2 == 1)
        {
            return upper;
        }

        // After selection every value left of n/2 is ≤ the upper middle; the lower middle is their maximum.
        var lower = values[0];
        for (var i = 1; i < n / 2; i++)
        {
            lower = Math.Max(lower, values[i]);
        }

        return 0.5 * (lower + upper);
    }

    /// <summary>Reorders <paramref name="values"/> so that index <paramref name="k"/> holds the k-th smallest, smaller ones before it.</summary>
    private static double Select(Span<double> values, int k)
    {
        int left = 0, right = values.Length - 1;
        while (right > left)
        {
            var middle = left + (right - left) / 2;
            if (values[middle] < values[left])
            {
                (values[middle], values[left]) = (values[left], values[middle]);
            }

            if (values[right] < values[left])
            {
                (values[right], values[left]) = (values[left], values[right]);
            }

            if (values[right] < values[middle])
            {
                (values[right], values[middle]) = (values[middle], values[right]);
            }

            var pivot = values[middle];
            int i = left, j = right;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                break;
            }
        }

        return values[k];
    }
}
