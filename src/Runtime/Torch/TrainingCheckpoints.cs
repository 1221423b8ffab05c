using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Runtime.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// Periodic checkpoints of the training stage that is running (docs/runs.md, "Resume"). The run opens a session per
/// stage (<see cref="Begin"/>, keyed by the stage hash, in <c>$PIPELINE_CACHE/stages/.checkpoints/&lt;hash&gt;/</c>);
/// <see cref="Trainer"/> finds it through <see cref="Current"/>, so a stage's own code needs no change beyond
/// handing its random streams to the trainer. A checkpoint holds the step, the losses so far, the state of every
/// registered <see cref="RandomStream"/> and of torch's default CPU generator, the weights and the optimizer's state
/// (<see cref="FlatAdam"/>'s flat moments), after the identity of the stage that wrote it (<see cref="ModelProvenance"/>:
/// experiment, source SHA-256, stage, stage hash and kind, runtime build), which a resume checks. It is
/// written atomically (<see cref="DurableFile"/>) and found through <c>trainer-N.json</c> (file, step, size, SHA-256),
/// itself replaced atomically after the checkpoint, so a kill at any moment leaves the previous checkpoint usable.
/// </summary>
public sealed class TrainingCheckpoints : IDisposable
{
    /// <summary>Checkpoint every N steps exactly (0: never); otherwise every tenth of the steps, at most one per <see cref="MinimumSeconds"/>.</summary>
    public const string EveryVariable = "PIPELINE_CHECKPOINT_EVERY";

    /// <summary>The format of this build's checkpoints: the stage's identity, random streams and <see cref="FlatAdam"/>'s flat moments.</summary>
    private const string Magic = "PIPECKPT3";

    /// <summary>Earlier formats, refused by name, with what they lacked or held otherwise.</summary>
    private static readonly Dictionary<string, string> RetiredMagics = new(StringComparer.Ordinal)
    {
        ["PIPECKPT1"] = "per-parameter Adam and CPU generator states",
        ["PIPECKPT2"] = "no identity of the stage that wrote it",
    };
    /// <summary>The identity's JSON: snake_case keys (<c>stage_hash</c>), no export keys (a checkpoint is never exported).</summary>
    private static readonly JsonSerializerOptions IdentityJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private const double MinimumSeconds = 10;
    private static readonly AsyncLocal<TrainingCheckpoints?> Active = new();
    private readonly TrainingCheckpoints? previous;
    private readonly Action<string> log;
    private readonly FileStream? ownership;
    private int trainers;
    private bool completed;

    private TrainingCheckpoints(string folder, ModelProvenance identity, Action<string> log)
    {
        Folder = folder;
        Identity = identity;
        this.log = log;
        previous = Active.Value;
        Active.Value = this;

        // One process at a time keeps a stage's checkpoints: two runs training the same stage hash at once (sweeps in
        // parallel) would otherwise replace and delete each other's files. The lock is the kernel's (flock), so a
        // killed owner releases it.
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
            ownership = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            ownership = null;
            Problem = error is IOException && File.Exists(LockPath) ? $"another process holds {LockPath}" : error.Message;
        }
    }

    /// <summary>The session of the stage running on this thread of control, or null when nothing checkpoints.</summary>
    public static TrainingCheckpoints? Current => Active.Value;

    /// <summary>Opens the checkpoint session of one stage; dispose it when the stage returns or fails.</summary>
    public static TrainingCheckpoints Begin(string folder, ModelProvenance identity, Action<string> log) => new(folder, identity, log);

    public string Folder { get; }

    /// <summary>The stage whose training this session checkpoints, as its checkpoints record it.</summary>
    public ModelProvenance Identity { get; }

    public string Stage => Identity.Stage;

    /// <summary>The step the stage resumed at, when it resumed (the first trainer's).</summary>
    public long? ResumedFromStep { get; private set; }

    /// <summary>The stage finished: its checkpoints are no longer needed (its result goes to the stage cache).</summary>
    public void Complete()
    {
        if (ownership is null)
        {
            return;
        }

        completed = true;
        try
        {
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // Another process resuming the same stage may hold a file; `pipeline cache gc` removes it later.
        }
    }

    /// <summary>Why this run keeps no checkpoints of the stage (another process holds them), or null.</summary>
    public string? Problem { get; }

    private string LockPath => Folder + ".lock";

    public void Dispose()
    {
        Active.Value = previous;
        if (ownership is null)
        {
            return;
        }

        if (completed)
        {
            // Deleted while still held, after the folder: a process that locks a new file from now on starts clean.
            try
            {
                File.Delete(LockPath);
            }
            catch (IOException)
            {
            }
        }

        ownership.Dispose();
    }

    /// <summary>
    /// The checkpoints of the next trainer the stage runs (a stage may train more than one model, in a fixed order), or
    /// null when another process holds this stage's checkpoints (said in the log once).
    /// </summary>
    internal TrainerCheckpoint? NextTrainer(int steps)
    {
        if (ownership is null)
        {
            if (trainers++ == 0)
            {
                log($"stage {Stage}: no checkpoints in this run ({Problem})");
            }

            return null;
        }

        return new TrainerCheckpoint(this, trainers++, steps);
    }

    internal void Log(string message) => log(message);

    internal void Resumed(long step) => ResumedFromStep ??= step;

    /// <summary>One trainer's checkpoints: <c>trainer-N.json</c> and the file it names.</summary>
    internal sealed class TrainerCheckpoint
    {
        private readonly TrainingCheckpoints session;
        private readonly int index;
        private readonly int steps;
        private readonly int every;
        private readonly bool exact;
        private DateTime lastSaved = DateTime.UtcNow;

        public TrainerCheckpoint(TrainingCheckpoints session, int index, int steps)
        {
            this.session = session;
            this.index = index;
            this.steps = steps;
            exact = int.TryParse(Environment.GetEnvironmentVariable(EveryVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var configured) && configured >= 0;
            every = exact ? configured : Math.Max(1, steps / 10);
        }

        private string Pointer => Path.Combine(session.Folder, $"trainer-{index}.json");

        /// <summary>Whether to checkpoint after <paramref name="done"/> steps (never after the last: the stage stores its result then).</summary>
        public bool IsDue(int done) =>
            every > 0 && done < steps && done % every == 0 && (exact || (DateTime.UtcNow - lastSaved).TotalSeconds >= MinimumSeconds);

        /// <summary>
        /// Writes a checkpoint after <paramref name="done"/> steps: the trainer's record of the steps so far
        /// (<paramref name="writeProgress"/>: losses, metric series), the random streams, the module's weights, any
        /// <paramref name="extra"/> trained tensors that are not the module's (LoRA adapters), and the optimizer's state.
        /// </summary>
        public void Save(int done, nn.Module module, IReadOnlyList<Tensor> extra, FlatAdam optimizer, IReadOnlyList<RandomStream> streams, Action<BinaryWriter> writeProgress)
        {
            var name = $"trainer-{index}.step-{done:D8}.ckpt";
            var path = Path.Combine(session.Folder, name);
            long bytes = 0;
            byte[] sha = [];
            DurableFile.Write(path, stream =>
            {
                using var hashing = new HashingStream(stream);
                using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
                {
                    writer.Write(Magic);
                    writer.Write(JsonSerializer.Serialize(session.Identity, IdentityJson));
                    writer.Write(done);
                    writer.Write(steps);
                    writeProgress(writer);
                    writer.Write(streams.Count);
                    foreach (var random in streams)
                    {
                        random.WriteState(writer);
                    }

                    WriteBytes(writer, RandomStream.DefaultState());
                    module.save(writer);
                    writer.Write(extra.Count);
                    foreach (var tensor in extra)
                    {
                        tensor.Save(writer);
                    }

                    optimizer.WriteState(writer);
                    writer.Flush();
                }

                bytes = hashing.Length;
                sha = hashing.Hash();
            }, "checkpoint");

            var pointer = new JsonObject
            {
                ["stage"] = session.Stage,
                ["file"] = name,
                ["step"] = done,
                ["steps"] = steps,
                ["bytes"] = bytes,
                ["sha256"] = Convert.ToHexStringLower(sha),
            };
            DurableFile.WriteAllBytes(Pointer, Encoding.UTF8.GetBytes(pointer.ToJsonString() + "\n"), "checkpoint");
            lastSaved = DateTime.UtcNow;
            foreach (var old in Directory.GetFiles(session.Folder, $"trainer-{index}.step-*.ckpt"))
            {
                if (Path.GetFileName(old) != name)
                {
                    File.Delete(old);
                }
            }
        }

        /// <summary>
        /// Restores the last checkpoint into the trainer's module, optimizer and random streams and returns its step; 0
        /// when there is none, or when it is damaged or of an earlier format (said in the log; the stage then trains
        /// from scratch).
        /// </summary>
        public int TryResume(nn.Module module, IReadOnlyList<Tensor> extra, FlatAdam optimizer, IReadOnlyList<RandomStream> streams, Action<BinaryReader> readProgress)
        {
            if (!File.Exists(Pointer))
            {
                return 0;
            }

            var problem = Verify(out var file, out var step);
            if (problem is not null)
            {
                session.Log($"checkpoint of stage {session.Stage} is unusable ({problem}); recomputing from scratch");
                session.Complete();
                return 0;
            }

            using (var reader = new BinaryReader(File.OpenRead(file!), Encoding.UTF8))
            {
                var magic = reader.ReadString();
                if (RetiredMagics.TryGetValue(magic, out var retired))
                {
                    session.Log($"checkpoint of stage {session.Stage} is of the retired format {magic} ({retired}); this build writes {Magic} (the stage's identity, flat Adam buffers and device random streams) and does not read it; recomputing from scratch");
                    session.Complete();
                    return 0;
                }

                if (magic != Magic)
                {
                    session.Log($"checkpoint of stage {session.Stage} is unusable (file {Path.GetFileName(file)} is not a training checkpoint); recomputing from scratch");
                    session.Complete();
                    return 0;
                }

                if (Mismatch(ReadIdentity(reader)) is { } mismatch)
                {
                    session.Log($"checkpoint of stage {session.Stage} is unusable (file {Path.GetFileName(file)} {mismatch}); recomputing from scratch");
                    session.Complete();
                    return 0;
                }

                if (reader.ReadInt32() != step || reader.ReadInt32() != steps)
                {
                    session.Log($"checkpoint of stage {session.Stage} is unusable (file {Path.GetFileName(file)} belongs to another training); recomputing from scratch");
                    session.Complete();
                    return 0;
                }

                readProgress(reader);
                if (reader.ReadInt32() != streams.Count)
                {
                    session.Log($"checkpoint of stage {session.Stage} is unusable (it holds another number of random streams); recomputing from scratch");
                    session.Complete();
                    return 0;
                }

                try
                {
                    foreach (var random in streams)
                    {
                        random.ReadState(reader);
                    }
                }
                catch (InvalidDataException error)
                {
                    session.Log($"checkpoint of stage {session.Stage} is unusable ({error.Message}); recomputing from scratch");
                    session.Complete();
                    return 0;
                }

                using (var global = ReadBytes(reader))
                {
                    RandomStream.RestoreDefaultState(global);
                }

                module.load(reader);
                if (reader.ReadInt32() != extra.Count)
                {
                    throw new InvalidDataException($"the checkpoint of stage {session.Stage} holds another number of adapter tensors");
                }

                using (no_grad())
                {
                    foreach (var tensor in extra)
                    {
                        tensor.Load(reader);
                    }
                }

                optimizer.ReadState(reader);
            }

            session.Resumed(step);
            session.Log($"resumed {session.Stage} at step {step}");
            return step;
        }

        /// <summary>The identity a checkpoint records, or null when it is unreadable.</summary>
        private static ModelProvenance? ReadIdentity(BinaryReader reader)
        {
            try
            {
                return JsonSerializer.Deserialize<ModelProvenance>(reader.ReadString(), IdentityJson);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>
        /// Null when a checkpoint's identity is this session's stage (its hash, so the same computation) written by this
        /// runtime build; else how it differs. The experiment and source may differ: a stage of the same hash trains the
        /// same way whatever else its source holds.
        /// </summary>
        private string? Mismatch(ModelProvenance? identity) =>
            identity is null ? "records no readable identity"
            : identity.StageHash != session.Identity.StageHash ? $"belongs to stage {identity.Stage} of hash {identity.StageHash}, not {session.Identity.StageHash}"
            : identity.RuntimeBuild != session.Identity.RuntimeBuild ? $"was written by runtime build {identity.RuntimeBuild}, this is {session.Identity.RuntimeBuild}"
            : null;

        /// <summary>Null when the pointer names a checkpoint file of the recorded size and checksum; else what is wrong.</summary>
        private string? Verify(out string? file, out int step)
        {
            file = null;
            step = 0;
            JsonObject? pointer;
            try
            {
                pointer = JsonNode.Parse(File.ReadAllText(Pointer)) as JsonObject;
            }
            catch (JsonException)
            {
                pointer = null;
            }

            if (pointer?["file"]?.GetValue<string>() is not { } name || pointer["step"]?.GetValue<int>() is not { } recorded
                || pointer["bytes"]?.GetValue<long>() is not { } bytes || pointer["sha256"]?.GetValue<string>() is not { } sha)
            {
                return $"file {Path.GetFileName(Pointer)} is unreadable";
            }

            file = Path.Combine(session.Folder, name);
            step = recorded;
            if (!File.Exists(file))
            {
                return $"file {name} is missing";
            }

            var length = new FileInfo(file).Length;
            if (length != bytes)
            {
                return length < bytes ? $"file {name} is truncated: {length} of {bytes} bytes" : $"file {name} has {length} bytes, not {bytes}";
            }

            using var stream = File.OpenRead(file);
            return Convert.ToHexStringLower(SHA256.HashData(stream)) == sha ? null : $"file {name} does not match its checksum";
        }

        private static void WriteBytes(BinaryWriter writer, Tensor state)
        {
            using (state)
            {
                var bytes = state.cpu().data<byte>().ToArray();
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }
        }

        private static Tensor ReadBytes(BinaryReader reader) => torch.tensor(reader.ReadBytes(reader.ReadInt32()), dtype: ScalarType.Byte);
    }

    /// <summary>Passes writes through to a stream while hashing and counting them.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => length;

        public override long Position { get => length; set => throw new NotSupportedException(); }

        public byte[] Hash() => hash.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
            length += buffer.Length;
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
