using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Pipeline.Runtime.Core;

namespace Pipeline.Cli.Registry;

/// <summary>How a run ended; stored as its lower-case name.</summary>
internal enum RunStatus
{
    Running,
    Succeeded,
    Failed,
    Interrupted,
}

/// <summary>What <c>pipeline run</c> knows when a run starts; <paramref name="Sweep"/> when the run is a point of a sweep.</summary>
internal sealed record RunStart(string Experiment, string File, string SourceSha256, string CanonicalSource, IReadOnlyList<string> Overrides, string OutputDirectory, IReadOnlyList<RunStage> Stages, RunSweepPoint? Sweep = null);

/// <summary>The sweep point a run is: its number (<c>point-N</c>) and the value of each swept path, as the language writes it.</summary>
internal sealed record RunSweepPoint(int Point, IReadOnlyList<(string Path, string Value)> Values);

/// <summary>One stage of a run: its hash always, and once the run ends whether it was cached or resumed and how long it took.</summary>
internal sealed record RunStage(string Name, string Kind, string Hash, bool? Cached = null, long? ResumedFromStep = null, double? Seconds = null);

/// <summary>One row of the registry.</summary>
internal sealed record RunRecord(
    long Id,
    string Experiment,
    string File,
    string SourceSha256,
    string CanonicalSource,
    IReadOnlyList<string> Overrides,
    string OutputDirectory,
    DateTime StartedUtc,
    DateTime? EndedUtc,
    RunStatus Status,
    string? Error,
    IReadOnlyList<RunStage> Stages,
    IReadOnlyDictionary<string, double> Metrics,
    RunSweepPoint? Sweep = null);

/// <summary>
/// The run registry (docs/runs.md): one SQLite database, <c>$PIPELINE_CACHE/registry.db</c>, with a row per
/// <c>pipeline run</c> (experiment, file, source hash, canonical source, overrides, start, end, status), the swept
/// values of a sweep point, its stages' hashes and its final metrics (every number of results.json, flattened to dotted paths). Every write is one
/// transaction; the database is in WAL mode with a busy timeout, so concurrent runs (processes) wait for each other's
/// short writes instead of failing. A run killed outright (SIGKILL) cannot say so itself: a "running" row whose process
/// is gone from this host is marked "interrupted" the next time the registry is opened.
/// </summary>
internal sealed partial class RunRegistry : IDisposable
{
    public const string FileName = "registry.db";
    private const int BusyTimeoutMilliseconds = 30_000;
    private readonly SqliteConnection connection;

    public RunRegistry(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = BusyTimeoutMilliseconds / 1000 }.ToString());
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            connection.Open();
            Execute($"PRAGMA busy_timeout = {BusyTimeoutMilliseconds};");

            // journal_mode needs the write lock the first time; the busy timeout covers two processes creating it at once.
            Execute("PRAGMA journal_mode = WAL;");
            Execute("PRAGMA synchronous = NORMAL;");
            Execute("PRAGMA foreign_keys = ON;");
            InTransaction(_ => Execute(Schema));
        }
        catch (Exception error) when (error is SqliteException or IOException or UnauthorizedAccessException)
        {
            // A registry that is not a database (or a cache "folder" that is a file) is the user's to fix, not a crash.
            connection.Dispose();
            throw new PipelineException(RuntimeDiagnosticCodes.RegistryUnreadable, $"the run registry '{Path}' cannot be opened ({error.Message.Trim()}); move it aside or point PIPELINE_CACHE at another folder.", error);
        }
    }

    /// <summary>The registry under <see cref="Pipeline.Catalog.CachePaths.Root"/>.</summary>
    public static RunRegistry OpenDefault() => new(System.IO.Path.Combine(Pipeline.Catalog.CachePaths.Root, FileName));

    public string Path { get; }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS runs (
          id               INTEGER PRIMARY KEY AUTOINCREMENT,
          experiment       TEXT    NOT NULL,
          file             TEXT    NOT NULL,
          source_sha256    TEXT    NOT NULL,
          canonical_source TEXT    NOT NULL,
          overrides        TEXT    NOT NULL,
          output_dir       TEXT    NOT NULL,
          started_utc      TEXT    NOT NULL,
          ended_utc        TEXT,
          status           TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
          error            TEXT,
          host             TEXT    NOT NULL,
          pid              INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS run_stages (
          run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          stage             TEXT    NOT NULL,
          kind              TEXT    NOT NULL,
          hash              TEXT    NOT NULL,
          cached            INTEGER,
          resumed_from_step INTEGER,
          seconds           REAL,
          PRIMARY KEY (run_id, stage)
        );
        CREATE TABLE IF NOT EXISTS run_metrics (
          run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          path   TEXT    NOT NULL,
          value  REAL    NOT NULL,
          PRIMARY KEY (run_id, path)
        );
        CREATE INDEX IF NOT EXISTS runs_started ON runs (started_utc);
        CREATE TABLE IF NOT EXISTS run_sweep (
          run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          point    INTEGER NOT NULL,
          position INTEGER NOT NULL,
          path     TEXT    NOT NULL,
          value    TEXT    NOT NULL,
          PRIMARY KEY (run_id, position)
        );
        CREATE TABLE IF NOT EXISTS slurm_jobs (
          run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          stage  TEXT    NOT NULL,
          job_id TEXT    NOT NULL,
          log    TEXT    NOT NULL,
          PRIMARY KEY (run_id, stage)
        );
        """;

    /// <summary>Records a run as running, with its stages' hashes; returns its id.</summary>
    public long Start(RunStart run, DateTime startedUtc) => InTransaction(transaction => Insert(run, startedUtc, transaction));

    private long Insert(RunStart run, DateTime startedUtc, SqliteTransaction transaction)
    {
        using var insert = Command("""
            INSERT INTO runs (experiment, file, source_sha256, canonical_source, overrides, output_dir, started_utc, status, host, pid)
            VALUES ($experiment, $file, $sha, $source, $overrides, $out, $started, 'running', $host, $pid);
            SELECT last_insert_rowid();
            """, transaction);
        insert.Parameters.AddWithValue("$experiment", run.Experiment);
        insert.Parameters.AddWithValue("$file", run.File);
        insert.Parameters.AddWithValue("$sha", run.SourceSha256);
        insert.Parameters.AddWithValue("$source", run.CanonicalSource);
        insert.Parameters.AddWithValue("$overrides", JsonSerializer.Serialize(run.Overrides));
        insert.Parameters.AddWithValue("$out", run.OutputDirectory);
        insert.Parameters.AddWithValue("$started", Format(startedUtc));
        insert.Parameters.AddWithValue("$host", Environment.MachineName);
        insert.Parameters.AddWithValue("$pid", Environment.ProcessId);
        var id = (long)insert.ExecuteScalar()!;
        foreach (var stage in run.Stages)
        {
            using var row = Command("INSERT INTO run_stages (run_id, stage, kind, hash) VALUES ($run, $stage, $kind, $hash);", transaction);
            row.Parameters.AddWithValue("$run", id);
            row.Parameters.AddWithValue("$stage", stage.Name);
            row.Parameters.AddWithValue("$kind", stage.Kind);
            row.Parameters.AddWithValue("$hash", stage.Hash);
            row.ExecuteNonQuery();
        }

        for (var position = 0; position < (run.Sweep?.Values.Count ?? 0); position++)
        {
            using var row = Command("INSERT INTO run_sweep (run_id, point, position, path, value) VALUES ($run, $point, $position, $path, $value);", transaction);
            row.Parameters.AddWithValue("$run", id);
            row.Parameters.AddWithValue("$point", run.Sweep!.Point);
            row.Parameters.AddWithValue("$position", position);
            row.Parameters.AddWithValue("$path", run.Sweep.Values[position].Path);
            row.Parameters.AddWithValue("$value", run.Sweep.Values[position].Value);
            row.ExecuteNonQuery();
        }

        return id;
    }

    /// <summary>
    /// Ends a run: its status, end time, error, how each stage ran, and the metrics of its results.json (null when
    /// it wrote none). One transaction, so a reader sees the run before or after, never half of it.
    /// </summary>
    public void Finish(long id, RunStatus status, DateTime endedUtc, string? error, IReadOnlyList<RunStage> stages, string? resultsJson) => InTransaction(transaction =>
    {
        using var update = Command("UPDATE runs SET status = $status, ended_utc = $ended, error = $error WHERE id = $id;", transaction);
        update.Parameters.AddWithValue("$status", Name(status));
        update.Parameters.AddWithValue("$ended", Format(endedUtc));
        update.Parameters.AddWithValue("$error", (object?)error ?? DBNull.Value);
        update.Parameters.AddWithValue("$id", id);
        update.ExecuteNonQuery();
        foreach (var stage in stages)
        {
            using var row = Command("""
                INSERT INTO run_stages (run_id, stage, kind, hash, cached, resumed_from_step, seconds) VALUES ($run, $stage, $kind, $hash, $cached, $resumed, $seconds)
                ON CONFLICT (run_id, stage) DO UPDATE SET cached = excluded.cached, resumed_from_step = excluded.resumed_from_step, seconds = excluded.seconds;
                """, transaction);
            row.Parameters.AddWithValue("$run", id);
            row.Parameters.AddWithValue("$stage", stage.Name);
            row.Parameters.AddWithValue("$kind", stage.Kind);
            row.Parameters.AddWithValue("$hash", stage.Hash);
            row.Parameters.AddWithValue("$cached", stage.Cached is { } cached ? (cached ? 1 : 0) : DBNull.Value);
            row.Parameters.AddWithValue("$resumed", (object?)stage.ResumedFromStep ?? DBNull.Value);
            row.Parameters.AddWithValue("$seconds", (object?)stage.Seconds ?? DBNull.Value);
            row.ExecuteNonQuery();
        }

        if (resultsJson is not null)
        {
            foreach (var (path, value) in FlattenMetrics(resultsJson))
            {
                using var row = Command("INSERT OR REPLACE INTO run_metrics (run_id, path, value) VALUES ($run, $path, $value);", transaction);
                row.Parameters.AddWithValue("$run", id);
                row.Parameters.AddWithValue("$path", path);
                row.Parameters.AddWithValue("$value", value);
                row.ExecuteNonQuery();
            }
        }

        return 0;
    });

    /// <summary>
    /// Marks "running" rows of this host whose process has exited as interrupted (killed, or the machine stopped). Their
    /// end time stays unknown (null): only when it was found is known, and that goes into the error text.
    /// </summary>
    public int MarkAbandoned(DateTime nowUtc) => InTransaction(transaction =>
    {
        var abandoned = new List<long>();
        // A run submitted to Slurm lives on after its submitting process; `pipeline status` ends it from the jobs' state.
        using (var query = Command("SELECT id, pid FROM runs WHERE status = 'running' AND host = $host AND id NOT IN (SELECT run_id FROM slurm_jobs);", transaction))
        {
            query.Parameters.AddWithValue("$host", Environment.MachineName);
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                if (!IsAlive(reader.GetInt32(1)))
                {
                    abandoned.Add(reader.GetInt64(0));
                }
            }
        }

        foreach (var id in abandoned)
        {
            using var update = Command("UPDATE runs SET status = 'interrupted', error = $error WHERE id = $id AND status = 'running';", transaction);
            update.Parameters.AddWithValue("$error", string.Create(CultureInfo.InvariantCulture, $"its process ended without finishing the run (killed?); found at {Format(nowUtc)}"));
            update.Parameters.AddWithValue("$id", id);
            update.ExecuteNonQuery();
        }

        return abandoned.Count;
    });

    /// <summary>Every run, newest first (at most <paramref name="limit"/>).</summary>
    public IReadOnlyList<RunRecord> List(int limit = int.MaxValue)
    {
        var ids = new List<long>();
        using (var query = Command("SELECT id FROM runs ORDER BY started_utc DESC, id DESC LIMIT $limit;"))
        {
            query.Parameters.AddWithValue("$limit", limit);
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        return ids.Select(id => Find(id)!).Where(r => r is not null).ToArray();
    }

    /// <summary>One run by id, or null.</summary>
    public RunRecord? Find(long id)
    {
        using var query = Command("SELECT experiment, file, source_sha256, canonical_source, overrides, output_dir, started_utc, ended_utc, status, error FROM runs WHERE id = $id;");
        query.Parameters.AddWithValue("$id", id);
        using var reader = query.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var stages = new List<RunStage>();
        using (var stageQuery = Command("SELECT stage, kind, hash, cached, resumed_from_step, seconds FROM run_stages WHERE run_id = $id ORDER BY stage;"))
        {
            stageQuery.Parameters.AddWithValue("$id", id);
            using var rows = stageQuery.ExecuteReader();
            while (rows.Read())
            {
                stages.Add(new RunStage(
                    rows.GetString(0),
                    rows.GetString(1),
                    rows.GetString(2),
                    rows.IsDBNull(3) ? null : rows.GetInt64(3) != 0,
                    rows.IsDBNull(4) ? null : rows.GetInt64(4),
                    rows.IsDBNull(5) ? null : rows.GetDouble(5)));
            }
        }

        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        using (var metricQuery = Command("SELECT path, value FROM run_metrics WHERE run_id = $id;"))
        {
            metricQuery.Parameters.AddWithValue("$id", id);
            using var rows = metricQuery.ExecuteReader();
            while (rows.Read())
            {
                metrics[rows.GetString(0)] = rows.GetDouble(1);
            }
        }

        int? point = null;
        var swept = new List<(string, string)>();
        using (var sweepQuery = Command("SELECT point, path, value FROM run_sweep WHERE run_id = $id ORDER BY position;"))
        {
            sweepQuery.Parameters.AddWithValue("$id", id);
            using var rows = sweepQuery.ExecuteReader();
            while (rows.Read())
            {
                point = rows.GetInt32(0);
                swept.Add((rows.GetString(1), rows.GetString(2)));
            }
        }

        return new RunRecord(
            id,
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetString(3),
            JsonSerializer.Deserialize<string[]>(reader.GetString(4)) ?? [],
            reader.GetString(5),
            Parse(reader.GetString(6)),
            reader.IsDBNull(7) ? null : Parse(reader.GetString(7)),
            Enum.Parse<RunStatus>(reader.GetString(8), ignoreCase: true),
            reader.IsDBNull(9) ? null : reader.GetString(9),
            stages,
            metrics,
            point is { } p ? new RunSweepPoint(p, swept) : null);
    }

    /// <summary>
    /// The final metrics of a results.json: every number under "stages.STAGE.metrics" and in the results sections
    /// (reward_accuracy, oracle_accuracy, win_rates, …), by dotted path. Timings, hashes and lists (loss curves) are
    /// left out: they are not results.
    /// </summary>
    public static IReadOnlyDictionary<string, double> FlattenMetrics(string resultsJson)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        if (JsonNode.Parse(resultsJson) is not JsonObject root)
        {
            return metrics;
        }

        foreach (var (key, value) in root)
        {
            if (key == "stages" && value is JsonObject stages)
            {
                foreach (var (stage, entry) in stages)
                {
                    Flatten($"{stage}.", entry?["metrics"], metrics);
                }
            }
            else if (value is JsonObject section)
            {
                Flatten($"{key}.", section, metrics);
            }
        }

        return metrics;
    }

    private static void Flatten(string prefix, JsonNode? node, IDictionary<string, double> into)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    Flatten(prefix + key + ".", value, into);
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                into[prefix.TrimEnd('.')] = value.GetValue<double>();
                break;
        }
    }

    public static string Name(RunStatus status) => status.ToString().ToLowerInvariant();

    public void Dispose() => connection.Dispose();

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private T InTransaction<T>(Func<SqliteTransaction, T> body)
    {
        // BEGIN IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout instead of one
        // failing with SQLITE_BUSY when it upgrades a read lock.
        using var transaction = connection.BeginTransaction(deferred: false);
        var result = body(transaction);
        transaction.Commit();
        return result;
    }

    private void InTransaction(Action<SqliteTransaction> body) => InTransaction(transaction =>
    {
        body(transaction);
        return 0;
    });

    private void Execute(string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.CommandTimeout = BusyTimeoutMilliseconds / 1000;
        return command;
    }

    private static string Format(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTime Parse(string text) => DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
