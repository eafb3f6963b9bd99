using Otter.Agent.Platform;

namespace Otter.Simulator;

/// <summary>
/// A simulated device's flash in memory, with the same contract as <see cref="DirectoryDeviceStorage"/>:
/// an atomic replace happens all or nothing, a stream is on the flash as far as it was written.
/// A power cut can be armed at the n-th mutating operation from now: that operation is torn as a
/// real one can be (an atomic replace does not happen, a stream write lands half, a directory clear
/// deletes one file) and throws <see cref="PowerCutException"/>, as does every later mutation until
/// <see cref="PowerOn"/>. Reads keep working: the bytes are still on the flash.
/// </summary>
public sealed class MemoryDeviceStorage : IDeviceStorage
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly ContentPool _pool;
    private readonly string _name;
    private long _cutIn;
    private List<string>? _cuts;

    internal MemoryDeviceStorage(string name, ContentPool pool)
    {
        _name = name;
        _pool = pool;
    }

    /// <summary>Whether the power is off (a cut happened and <see cref="PowerOn"/> was not called yet).</summary>
    public bool PoweredOff { get; private set; }

    /// <summary>The operation each power cut tore, in order.</summary>
    public IReadOnlyList<string> PowerCuts
    {
        get
        {
            lock (_gate)
            {
                return _cuts is null ? [] : [.. _cuts];
            }
        }
    }

    /// <summary>Mutating operations so far.</summary>
    public long Mutations { get; private set; }

    /// <summary>Cuts the power at the <paramref name="operations"/>-th mutating operation from now (1 = the next one).</summary>
    public void ArmPowerCut(long operations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(operations, 1);
        lock (_gate)
        {
            _cutIn = operations;
        }
    }

    /// <summary>Disarms a power cut that has not happened yet.</summary>
    public void Disarm()
    {
        lock (_gate)
        {
            _cutIn = 0;
        }
    }

    /// <summary>Power returns (the device will boot).</summary>
    public void PowerOn()
    {
        lock (_gate)
        {
            PoweredOff = false;
            _cutIn = 0;
        }
    }

    /// <inheritdoc />
    public byte[]? ReadFile(string path)
    {
        lock (_gate)
        {
            return _files.TryGetValue(Check(path), out var bytes) ? bytes : null;
        }
    }

    /// <inheritdoc />
    public void WriteFileAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = _pool.Intern(bytes.ToArray());
        lock (_gate)
        {
            Mutate($"write {path}", torn: null);
            _files[Check(path)] = copy;
        }
    }

    /// <inheritdoc />
    public void WriteSecretFileAtomic(string path, ReadOnlySpan<byte> bytes) => WriteFileAtomic(path, bytes);

    /// <inheritdoc />
    public Stream CreateFile(string path)
    {
        lock (_gate)
        {
            Mutate($"create {path}", torn: null);
            _files[Check(path)] = [];
        }

        return new MemoryFileStream(this, path);
    }

    /// <inheritdoc />
    public Stream OpenRead(string path)
    {
        var bytes = ReadFile(path) ?? throw new FileNotFoundException($"{FullPath(path)} does not exist.", FullPath(path));
        return new MemoryStream(bytes, writable: false);
    }

    /// <inheritdoc />
    public void ClearDirectory(string directory)
    {
        var prefix = Check(directory) + "/";
        lock (_gate)
        {
            var doomed = _files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();

            // A cut while clearing leaves the directory half cleared.
            Mutate($"clear {directory}", torn: () =>
            {
                if (doomed.Count > 0)
                {
                    _files.Remove(doomed[0]);
                }
            });
            foreach (var path in doomed)
            {
                _files.Remove(path);
            }
        }
    }

    /// <inheritdoc />
    public bool Exists(string path)
    {
        lock (_gate)
        {
            return _files.ContainsKey(Check(path));
        }
    }

    /// <inheritdoc />
    public void Delete(string path)
    {
        lock (_gate)
        {
            if (_files.ContainsKey(Check(path)))
            {
                Mutate($"delete {path}", torn: null);
                _files.Remove(path);
            }
        }
    }

    /// <inheritdoc />
    public string FullPath(string path) => $"sim://{_name}/{Check(path)}";

    /// <summary>Appends a streamed write (counted as one mutation; a cut lands half of it).</summary>
    internal void Append(string path, ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            var half = bytes[..(bytes.Length / 2)].ToArray();
            Mutate($"write {bytes.Length} bytes to {path}", torn: () => _files[path] = [.. _files.GetValueOrDefault(path) ?? [], .. half]);
            _files[path] = [.. _files.GetValueOrDefault(path) ?? [], .. bytes];
        }
    }

    /// <summary>A finished stream's contents go to the pool.</summary>
    internal void Seal(string path)
    {
        lock (_gate)
        {
            if (_files.TryGetValue(path, out var bytes))
            {
                _files[path] = _pool.Intern(bytes);
            }
        }
    }

    private void Mutate(string operation, Action? torn)
    {
        if (PoweredOff)
        {
            throw new PowerCutException($"{operation} (the power is off)");
        }

        Mutations++;
        if (_cutIn > 0 && --_cutIn == 0)
        {
            PoweredOff = true;
            (_cuts ??= []).Add(operation);
            torn?.Invoke();
            throw new PowerCutException(operation);
        }
    }

    private static string Check(string path)
    {
        if (path.Length == 0 || path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || path.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"\"{path}\" is not a device path.", nameof(path));
        }

        return path;
    }
}
