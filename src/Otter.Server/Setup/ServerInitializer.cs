using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Otter.Ledger.Log;
using Otter.Ledger.Storage;
using Otter.Protocol.Management;
using Otter.Server.Audit;
using Otter.Server.Auth;
using Otter.Server.Data;
using Otter.Server.Pki;
using Otter.Trust.IO;
using Otter.Trust.Keys;
using Otter.Trust.Tuf.Repository;

namespace Otter.Server.Setup;

/// <summary>
/// <c>otter server init</c>: makes a data directory whole or not at all — database, fleet CA and
/// TLS certificate, TUF repository, transparency log, development manufacturer CA, the public
/// <c>device-trust/</c> folder and a bootstrap admin API key (returned once, stored hashed).
/// </summary>
public static class ServerInitializer
{
    /// <summary>Creates the data directory.</summary>
    /// <exception cref="ServerSetupException">Bad input or a step failed; nothing is left behind.</exception>
    public static async Task<ServerInitResult> InitAsync(ServerInitOptions options, IPassphraseSource passphrases, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var paths = new ServerPaths(options.DataDirectory);
        if (File.Exists(paths.Root) || (Directory.Exists(paths.Root) && Directory.EnumerateFileSystemEntries(paths.Root).Any()))
        {
            throw new ServerSetupException($"{paths.Root} exists and is not empty; a server data directory is created once, into a new directory.");
        }

        if (options.RootKeys.Count == 0)
        {
            throw new ServerSetupException("give at least one --root-key (the offline root keys that sign the first root metadata).");
        }

        var hostname = options.Hostname.Trim();
        if (hostname.Length is 0 or > 253 || !hostname.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-'))
        {
            throw new ServerSetupException($"--hostname {options.Hostname} is not a DNS name (letters, digits, dots and hyphens).");
        }

        var created = !Directory.Exists(paths.Root);
        Directory.CreateDirectory(paths.Root);
        var once = new OncePassphraseSource(passphrases);
        var loader = new KeyLoader(once);
        var generated = new List<string>();
        var opened = new List<IDisposable>();
        try
        {
            Directory.CreateDirectory(paths.Keys);
            Directory.CreateDirectory(paths.Pki);
            string KeyReference(string? given, string name)
            {
                if (given is not null)
                {
                    return KeyLoader.IsPkcs11Uri(given) ? given : Path.GetFullPath(given);
                }

                var path = Path.Combine(paths.Keys, name + ".key");
                using var key = EcdsaP256.Generate();
                KeyFile.Write(path, key, once.GetPassphrase(path, confirm: true), options.KeyFileIterations);
                generated.Add(path);
                return Path.GetRelativePath(paths.Root, path);
            }

            KeyHandle Open(string reference, string role)
            {
                try
                {
                    var handle = loader.Open(paths.ResolveKey(reference));
                    opened.Add(handle);
                    return handle;
                }
                catch (KeyException ex)
                {
                    throw new ServerSetupException($"the {role} key {reference}: {ex.Message}", ex);
                }
            }

            var keys = new ServerKeys
            {
                Targets = KeyReference(options.TargetsKey, "targets"),
                Snapshot = KeyReference(options.SnapshotKey, "snapshot"),
                Timestamp = KeyReference(options.TimestampKey, "timestamp"),
                Log = KeyReference(options.LogKey, "log"),
                Ca = Path.GetRelativePath(paths.Root, paths.CaKey),
                Tls = Path.GetRelativePath(paths.Root, paths.TlsKey),
            };
            var now = time.GetUtcNow();

            // TUF repository: the root keys sign root version 1 and are not kept.
            new TufRepository(time).Init(paths.Repository, new RepositoryInitOptions
            {
                RootKeys = options.RootKeys,
                RootThreshold = options.RootThreshold,
                TargetsKey = Open(keys.Targets, "targets"),
                SnapshotKey = Open(keys.Snapshot, "snapshot"),
                TimestampKey = Open(keys.Timestamp, "timestamp"),
            });

            // Transparency log.
            var logSigner = Open(keys.Log, "log").GetSigner();
            var origin = hostname + "/otter-log";
            using (await TransparencyLog.CreateAsync(new DirectoryLogStorage(paths.Log), origin, logSigner, cancellationToken))
            {
            }

            // Fleet CA and the server's TLS certificate.
            using (var caKey = EcdsaP256.Generate())
            using (var tlsKey = EcdsaP256.Generate())
            {
                KeyFile.Write(paths.CaKey, caKey, once.GetPassphrase(paths.CaKey, confirm: true), options.KeyFileIterations);
                KeyFile.Write(paths.TlsKey, tlsKey, once.GetPassphrase(paths.TlsKey, confirm: true), options.KeyFileIterations);
                var caSigner = Open(keys.Ca, "CA").GetSigner();
                using var ca = CertificateAuthority.CreateRoot($"Otter fleet CA ({hostname})", caSigner, now, 20);
                using var tls = CertificateAuthority.IssueServer(ca, caSigner, tlsKey, hostname, now);
                DurableFiles.WriteAtomic(paths.CaCertificate, Encoding.ASCII.GetBytes(ca.ExportCertificatePem() + "\n"));
                DurableFiles.WriteAtomic(paths.TlsCertificate, Encoding.ASCII.GetBytes(tls.ExportCertificatePem() + "\n"));
            }

            DevelopmentFactory.Create(paths, now);

            // device-trust/: everything public a device is provisioned with.
            Directory.CreateDirectory(paths.DeviceTrust);
            File.Copy(Path.Combine(paths.Repository, "metadata", "1.root.json"), Path.Combine(paths.DeviceTrust, "root.json"));
            DurableFiles.WriteAtomic(Path.Combine(paths.DeviceTrust, "log.pub"), Encoding.ASCII.GetBytes(logSigner.PublicKey.KeyValue.Public.TrimEnd('\n') + "\n"));
            DurableFiles.WriteAtomic(Path.Combine(paths.DeviceTrust, "log-origin"), Encoding.UTF8.GetBytes(origin + "\n"));
            File.Copy(paths.CaCertificate, Path.Combine(paths.DeviceTrust, "ca.pem"));

            var settings = new ServerSettings
            {
                Hostname = hostname,
                ApiUrl = options.ApiUrl ?? "https://127.0.0.1:8443",
                DeviceUrl = options.DeviceUrl ?? "https://127.0.0.1:8444",
                Database = options.Database,
                Keys = keys,
                LogOrigin = origin,
                AutoApprove = !options.RequireApproval,
            };

            // Database, the bootstrap admin key and the first audit row.
            var builder = new DbContextOptionsBuilder<OtterDbContext>();
            DatabaseOptions.Configure(builder, settings.Database, paths.SqliteDatabase);
            string adminKey;
            await using (var db = new OtterDbContext(builder.Options))
            {
                if (settings.Database is not null && await db.Database.CanConnectAsync(cancellationToken) && await HasTablesAsync(db, cancellationToken))
                {
                    throw new ServerSetupException($"the database {DatabaseOptions.Redact(settings.Database)} already holds Otter tables; give an empty database.");
                }

                await DatabaseSchema.EnsureAsync(db, settings.Database, cancellationToken);
                var (row, key) = ApiKeys.Create("bootstrap-admin", Roles.Admin, now);
                adminKey = key;
                db.ApiKeys.Add(row);
                await db.SaveChangesAsync(cancellationToken);
                using var audit = new AuditLog(paths, time);
                await audit.AppendAsync(db, "server", "server.init", hostname, $"log {origin}; root keys {string.Join(",", options.RootKeys.Select(k => k.KeyId[..12]))}", cancellationToken);
            }

            // server.json last: a directory without it is not a server.
            DurableFiles.WriteAtomic(paths.Settings, JsonSerializer.SerializeToUtf8Bytes(settings, ServerJsonContext.Default.ServerSettings));
            return new ServerInitResult(paths.Root, adminKey, origin, paths.DeviceTrust, paths.DevFactory, generated);
        }
        catch (Exception ex) when (ex is not ServerSetupException)
        {
            Cleanup(paths.Root, created);
            throw new ServerSetupException($"server init failed: {ex.Message}", ex);
        }
        catch
        {
            Cleanup(paths.Root, created);
            throw;
        }
        finally
        {
            foreach (var handle in opened)
            {
                handle.Dispose();
            }
        }
    }

    private static async Task<bool> HasTablesAsync(OtterDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            // The query succeeds only when the table exists.
            _ = await db.Audit.AnyAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void Cleanup(string root, bool created)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        if (created)
        {
            Directory.Delete(root, recursive: true);
            return;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(root))
        {
            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }
}
