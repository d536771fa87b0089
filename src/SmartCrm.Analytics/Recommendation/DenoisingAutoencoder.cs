using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartCrm.Analytics.Recommendation;

/// <summary>Settings for <see cref="DenoisingAutoencoder"/> (Liang et al. 2018's Mult-DAE defaults, batch sized for small catalogues).</summary>
public sealed record AutoencoderOptions
{
    /// <summary>Width of the hidden (tanh) layer.</summary>
    public int Hidden { get; init; } = 200;

    /// <summary>Passes over all users.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Users per gradient step.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Adam's step size.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Share of each user's history hidden from the encoder at every step (the "denoising").</summary>
    public double Dropout { get; init; } = 0.5;

    /// <summary>λ of the L2 penalty λ‖W‖² on both weight matrices.</summary>
    public double Regularization { get; init; } = 0.01;

    /// <summary>Seed for the initial weights, the order of users and the dropout masks.</summary>
    public int Seed { get; init; }

    internal void Check()
    {
        if (Hidden < 1) throw new ArgumentException($"Hidden must be at least 1 (was {Hidden}).", "options");
        if (Epochs < 1) throw new ArgumentException($"Epochs must be at least 1 (was {Epochs}).", "options");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1 (was {BatchSize}).", "options");
        if (!(LearningRate > 0 && LearningRate < 1)) throw new ArgumentException($"LearningRate must be in (0, 1) (was {LearningRate}).", "options");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"Dropout must be in [0, 1) (was {Dropout}).", "options");
        if (!(Regularization >= 0)) throw new ArgumentException($"Regularization must not be negative (was {Regularization}).", "options");
    }
}

/// <summary>
/// Mult-DAE (Liang, Krishnan, Hoffman and Jebara 2018, "Variational autoencoders for collaborative filtering"): a
/// neural network reads a user's history as a bag of items (l2-normalised, part of it dropped at random while
/// training), squeezes it through one tanh layer and returns a softmax over the whole catalogue, trained with
/// Adam to give the user's own items high probability (multinomial log-likelihood). Recommending is one forward
/// pass without dropout. Everything runs on the CPU in single precision with vectorised kernels.
/// </summary>
public sealed class DenoisingAutoencoder : TableScorer
{
    private readonly Layers _layers;

    private DenoisingAutoencoder(RatingTable table, Layers layers)
        : base(table)
    {
        this._layers = layers;
    }

    /// <summary>Trains the network on who rated what (the rating values are ignored).</summary>
    /// <param name="ratings">The interactions.</param>
    /// <param name="options">Width, epochs, batch, step size, dropout, penalty, seed.</param>
    /// <param name="progress">Receives the epoch number after each epoch.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public static DenoisingAutoencoder Fit(RatingTable ratings, AutoencoderOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        var random = new Random(options.Seed);
        var layers = new Layers(ratings.ItemCount, options.Hidden, random);
        var batch = Math.Min(options.BatchSize, ratings.UserCount);
        var step = new Training(layers, batch, options);
        var users = new int[ratings.UserCount];
        for (var u = 0; u < users.Length; u++) users[u] = u;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            random.Shuffle(users);
            for (var start = 0; start < users.Length; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                step.Run(ratings, users.AsSpan(start, Math.Min(batch, users.Length - start)), random);
            }
            progress?.Report(epoch);
        }
        return new DenoisingAutoencoder(ratings, layers);
    }

    /// <inheritdoc />
    protected override double[] ScoresByIndex(int u)
    {
        var hidden = new float[_layers.Hidden];
        _layers.Encode(Table, u, keep: null, scale: 1, hidden);
        var logits = new float[_layers.Items];
        _layers.Decode(hidden, logits);
        var scores = new double[logits.Length];
        for (var i = 0; i < scores.Length; i++) scores[i] = logits[i];
        return scores;
    }

    /// <summary>The weights: encoder rows per item (I × H) and bias, decoder rows per item (I × H) and bias.</summary>
    private sealed class Layers
    {
        public Layers(int items, int hidden, Random random)
        {
            Items = items;
            Hidden = hidden;
            // Glorot-uniform weights and tiny normal biases, as the reference implementation starts.
            var limit = Math.Sqrt(6.0 / (items + hidden));
            Encoder = new float[items * hidden];
            Decoder = new float[items * hidden];
            for (var n = 0; n < Encoder.Length; n++) Encoder[n] = (float)((random.NextDouble() * 2 - 1) * limit);
            for (var n = 0; n < Decoder.Length; n++) Decoder[n] = (float)((random.NextDouble() * 2 - 1) * limit);
            EncoderBias = FactorMath.Noise(hidden, 0.001, random);
            DecoderBias = FactorMath.Noise(items, 0.001, random);
        }

        public int Items { get; }

        public int Hidden { get; }

        public float[] Encoder { get; }

        public float[] EncoderBias { get; }

        public float[] Decoder { get; }

        public float[] DecoderBias { get; }

        /// <summary>
        /// hidden = tanh(b₁ + Σ_j x̃_j W₁[j]) over the user's items kept by the mask, x̃_j = scale / √|history|: the
        /// input is sparse, so the encoder costs only the user's own items.
        /// </summary>
        public void Encode(RatingTable table, int u, bool[]? keep, float scale, Span<float> hidden)
        {
            EncoderBias.CopyTo(hidden);
            if (u >= 0)
            {
                int start = table.UserStart[u], end = table.UserStart[u + 1];
                var input = scale / MathF.Sqrt(end - start);
                for (var r = start; r < end; r++)
                {
                    if (keep is not null && !keep[r - start]) continue;
                    FactorMath.AddScaled(hidden, Encoder.AsSpan(table.ByUserItem[r] * Hidden, Hidden), input);
                }
            }
            for (var k = 0; k < hidden.Length; k++) hidden[k] = MathF.Tanh(hidden[k]);
        }

        /// <summary>logits = W₂ h + b₂.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Decode(ReadOnlySpan<float> hidden, Span<float> logits)
        {
            for (var i = 0; i < Items; i++) logits[i] = DecoderBias[i] + FactorMath.Dot(Decoder.AsSpan(i * Hidden, Hidden), hidden);
        }
    }

    /// <summary>One Adam step on a batch of users: buffers for activations, gradients and the two moments.</summary>
    private sealed class Training
    {
        private const float Beta1 = 0.9f;
        private const float Beta2 = 0.999f;
        private const float Epsilon = 1e-8f;
        private readonly Layers _layers;
        private readonly float _rate;
        private readonly float _dropout;
        private readonly float _penalty;
        private readonly float[] _hidden;
        private readonly float[] _logits;
        private readonly float[] _hiddenGradient;
        private readonly float[][] _parameters;
        private readonly float[][] _gradients;
        private readonly float[][] _firstMoments;
        private readonly float[][] _secondMoments;
        private int _steps;

        public Training(Layers layers, int batch, AutoencoderOptions options)
        {
            this._layers = layers;
            _rate = (float)options.LearningRate;
            _dropout = (float)options.Dropout;
            _penalty = (float)options.Regularization;
            _hidden = new float[batch * layers.Hidden];
            _logits = new float[batch * layers.Items];
            _hiddenGradient = new float[batch * layers.Hidden];
            _parameters = [layers.Encoder, layers.EncoderBias, layers.Decoder, layers.DecoderBias];
            _gradients = [.. _parameters.Select(p => new float[p.Length])];
            _firstMoments = [.. _parameters.Select(p => new float[p.Length])];
            _secondMoments = [.. _parameters.Select(p => new float[p.Length])];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(RatingTable table, ReadOnlySpan<int> users, Random random)
        {
            int h = _layers.Hidden, items = _layers.Items, batch = users.Length;
            var encoderGradient = _gradients[0];
            var encoderBiasGradient = _gradients[1];
            var decoderGradient = _gradients[2];
            var decoderBiasGradient = _gradients[3];
            foreach (var g in _gradients) Array.Clear(g);

            // Forward: encode each user with a fresh dropout mask, decode, and turn the logits in place into the
            // gradient of the batch's mean negative multinomial log-likelihood, (|history| · softmax − x) / batch.
            var masks = new bool[batch][];
            for (var b = 0; b < batch; b++)
            {
                var u = users[b];
                var mask = masks[b] = new bool[table.UserStart[u + 1] - table.UserStart[u]];
                for (var n = 0; n < mask.Length; n++) mask[n] = random.NextDouble() >= _dropout;
                _layers.Encode(table, u, mask, 1 / (1 - _dropout), _hidden.AsSpan(b * h, h));
            }
            for (var i = 0; i < items; i++)
            {
                var row = _layers.Decoder.AsSpan(i * h, h);
                var bias = _layers.DecoderBias[i];
                var b = 0;
                for (; b + 4 <= batch; b += 4)
                {
                    var (d0, d1, d2, d3) = Dot4(row, _hidden.AsSpan(b * h, 4 * h));
                    _logits[b * items + i] = bias + d0;
                    _logits[(b + 1) * items + i] = bias + d1;
                    _logits[(b + 2) * items + i] = bias + d2;
                    _logits[(b + 3) * items + i] = bias + d3;
                }
                for (; b < batch; b++) _logits[b * items + i] = bias + FactorMath.Dot(row, _hidden.AsSpan(b * h, h));
            }
            for (var b = 0; b < batch; b++)
            {
                var u = users[b];
                var z = _logits.AsSpan(b * items, items);
                var max = float.NegativeInfinity;
                foreach (var v in z) max = Math.Max(max, v);
                double sum = 0;
                for (var i = 0; i < items; i++) sum += z[i] = MathF.Exp(z[i] - max);
                int start = table.UserStart[u], end = table.UserStart[u + 1];
                var scale = (float)((end - start) / sum / batch);
                for (var i = 0; i < items; i++) z[i] *= scale;
                for (var r = start; r < end; r++) z[table.ByUserItem[r]] -= 1f / batch;
            }

            // Backward through the decoder, four items and four users at a time, so that each row loaded from
            // memory serves four updates: dH = G W₂ and dW₂ = Gᵀ H.
            Array.Clear(_hiddenGradient);
            var rows = _layers.Decoder;
            var i4 = 0;
            for (; i4 + 4 <= items; i4 += 4)
            {
                for (var b = 0; b < batch; b++)
                {
                    var g = _logits.AsSpan(b * items + i4, 4);
                    AddScaled4(_hiddenGradient.AsSpan(b * h, h), rows.AsSpan(i4 * h, 4 * h), g[0], g[1], g[2], g[3]);
                }
            }
            for (; i4 < items; i4++)
                for (var b = 0; b < batch; b++) FactorMath.AddScaled(_hiddenGradient.AsSpan(b * h, h), rows.AsSpan(i4 * h, h), _logits[b * items + i4]);
            for (var i = 0; i < items; i++)
            {
                var rowGradient = decoderGradient.AsSpan(i * h, h);
                float biasGradient = 0;
                var b = 0;
                for (; b + 4 <= batch; b += 4)
                {
                    float g0 = _logits[b * items + i], g1 = _logits[(b + 1) * items + i], g2 = _logits[(b + 2) * items + i], g3 = _logits[(b + 3) * items + i];
                    biasGradient += g0 + g1 + g2 + g3;
                    AddScaled4(rowGradient, _hidden.AsSpan(b * h, 4 * h), g0, g1, g2, g3);
                }
                for (; b < batch; b++)
                {
                    var g = _logits[b * items + i];
                    biasGradient += g;
                    FactorMath.AddScaled(rowGradient, _hidden.AsSpan(b * h, h), g);
                }
                decoderBiasGradient[i] = biasGradient;
            }

            // Backward through tanh and the sparse encoder input.
            for (var b = 0; b < batch; b++)
            {
                var dz = _hiddenGradient.AsSpan(b * h, h);
                var a = _hidden.AsSpan(b * h, h);
                for (var k = 0; k < h; k++) dz[k] *= 1 - a[k] * a[k];
                FactorMath.AddScaled(encoderBiasGradient, dz, 1);
                var u = users[b];
                int start = table.UserStart[u], end = table.UserStart[u + 1];
                var input = 1 / (1 - _dropout) / MathF.Sqrt(end - start);
                for (var r = start; r < end; r++)
                    if (masks[b][r - start]) FactorMath.AddScaled(encoderGradient.AsSpan(table.ByUserItem[r] * h, h), dz, input);
            }

            // The penalty's gradient 2λW, then Adam on every parameter.
            if (_penalty > 0)
            {
                FactorMath.AddScaled(encoderGradient, _layers.Encoder, 2 * _penalty);
                FactorMath.AddScaled(decoderGradient, _layers.Decoder, 2 * _penalty);
            }
            _steps++;
            var stepSize = _rate * MathF.Sqrt(1 - MathF.Pow(Beta2, _steps)) / (1 - MathF.Pow(Beta1, _steps));
            for (var p = 0; p < _parameters.Length; p++) Adam(_parameters[p], _gradients[p], _firstMoments[p], _secondMoments[p], stepSize);
        }

        /// <summary>The dot products of <paramref name="row"/> with four consecutive rows of the same length packed in <paramref name="four"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (float, float, float, float) Dot4(ReadOnlySpan<float> row, ReadOnlySpan<float> four)
        {
            var h = row.Length;
            ref var w = ref MemoryMarshal.GetReference(row);
            ref var x = ref MemoryMarshal.GetReference(four);
            Vector<float> s0 = Vector<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            var k = 0;
            for (; k + Vector<float>.Count <= h; k += Vector<float>.Count)
            {
                var v = Vector.LoadUnsafe(ref w, (nuint)k);
                s0 = Vector.FusedMultiplyAdd(v, Vector.LoadUnsafe(ref x, (nuint)k), s0);
                s1 = Vector.FusedMultiplyAdd(v, Vector.LoadUnsafe(ref x, (nuint)(h + k)), s1);
                s2 = Vector.FusedMultiplyAdd(v, Vector.LoadUnsafe(ref x, (nuint)(2 * h + k)), s2);
                s3 = Vector.FusedMultiplyAdd(v, Vector.LoadUnsafe(ref x, (nuint)(3 * h + k)), s3);
            }
            float d0 = Vector.Sum(s0), d1 = Vector.Sum(s1), d2 = Vector.Sum(s2), d3 = Vector.Sum(s3);
            for (; k < h; k++)
            {
                d0 += row[k] * four[k];
                d1 += row[k] * four[h + k];
                d2 += row[k] * four[2 * h + k];
                d3 += row[k] * four[3 * h + k];
            }
            return (d0, d1, d2, d3);
        }

        /// <summary>target += g₀ a₀ + g₁ a₁ + g₂ a₂ + g₃ a₃ for four consecutive rows a of the target's length packed in <paramref name="four"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddScaled4(Span<float> target, ReadOnlySpan<float> four, float g0, float g1, float g2, float g3)
        {
            var h = target.Length;
            ref var t = ref MemoryMarshal.GetReference(target);
            ref var x = ref MemoryMarshal.GetReference(four);
            Vector<float> v0 = new(g0), v1 = new(g1), v2 = new(g2), v3 = new(g3);
            var k = 0;
            for (; k + Vector<float>.Count <= h; k += Vector<float>.Count)
            {
                var sum = Vector.LoadUnsafe(ref t, (nuint)k);
                sum = Vector.FusedMultiplyAdd(v0, Vector.LoadUnsafe(ref x, (nuint)k), sum);
                sum = Vector.FusedMultiplyAdd(v1, Vector.LoadUnsafe(ref x, (nuint)(h + k)), sum);
                sum = Vector.FusedMultiplyAdd(v2, Vector.LoadUnsafe(ref x, (nuint)(2 * h + k)), sum);
                sum = Vector.FusedMultiplyAdd(v3, Vector.LoadUnsafe(ref x, (nuint)(3 * h + k)), sum);
                sum.StoreUnsafe(ref t, (nuint)k);
            }
            for (; k < h; k++) target[k] += g0 * four[k] + g1 * four[h + k] + g2 * four[2 * h + k] + g3 * four[3 * h + k];
        }

        /// <summary>Adam (Kingma and Ba 2015) with the bias corrections folded into the step size, as TensorFlow does.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Adam(Span<float> weights, ReadOnlySpan<float> gradient, Span<float> first, Span<float> second, float stepSize)
        {
            var n = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var beta1 = new Vector<float>(Beta1);
                var beta2 = new Vector<float>(Beta2);
                var rest1 = new Vector<float>(1 - Beta1);
                var rest2 = new Vector<float>(1 - Beta2);
                var epsilon = new Vector<float>(Epsilon);
                var size = new Vector<float>(stepSize);
                for (; n + Vector<float>.Count <= weights.Length; n += Vector<float>.Count)
                {
                    var g = new Vector<float>(gradient[n..]);
                    var m = beta1 * new Vector<float>(first[n..]) + rest1 * g;
                    var v = beta2 * new Vector<float>(second[n..]) + rest2 * g * g;
                    m.CopyTo(first[n..]);
                    v.CopyTo(second[n..]);
                    (new Vector<float>(weights[n..]) - size * m / (Vector.SquareRoot(v) + epsilon)).CopyTo(weights[n..]);
                }
            }
            for (; n < weights.Length; n++)
            {
                var g = gradient[n];
                var m = first[n] = Beta1 * first[n] + (1 - Beta1) * g;
                var v = second[n] = Beta2 * second[n] + (1 - Beta2) * g * g;
                weights[n] -= stepSize * m / (MathF.Sqrt(v) + Epsilon);
            }
        }
    }
}
