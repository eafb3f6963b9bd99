using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Otter.Protocol.Device;
using Otter.Protocol.Management;
using Otter.Server.Api;
using Otter.Server.Audit;
using Otter.Server.Data;
using Otter.Server.Pki;
using Otter.Server.Setup;
using Otter.Trust.Keys;

namespace Otter.Server.Devices;

/// <summary>
/// Enrollment: the factory certificate must chain to a trusted manufacturer CA and its key must
/// have signed the CSR; the CSR's key becomes the device's key for good. The same identity
/// coming back with another key is a cloned device: refused and recorded.
/// </summary>
internal sealed partial class EnrollmentService(ServerState state, AuditLog audit, TimeProvider time, ILogger<EnrollmentService> logger, Incidents.IncidentService incidents)
{
    private const int MaxIdLength = 128;

    public async Task<IResult> EnrollAsync(OtterDbContext db, EnrollRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var factory = new X509Certificate2Collection();
        try
        {
            factory.ImportFromPem(request.FactoryCertificate);
        }
        catch (CryptographicException ex)
        {
            return Problems.BadRequest($"factory_certificate is not PEM certificates: {ex.Message}");
        }

        if (factory.Count == 0)
        {
            return Problems.BadRequest("factory_certificate holds no certificate; send the factory identity certificate (PEM).");
        }

        var leaf = factory[0];
        if (ChainValidator.Check(leaf, state.Manufacturers, factory.Skip(1), now) is { } chainProblem)
        {
            LogRefused(logger, leaf.Subject, chainProblem);
            return Problems.Forbidden($"factory certificate refused: {chainProblem}; the manufacturer CA must be trusted with `otter server trust-manufacturer`.");
        }

        var id = leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (id.Length is 0 or > MaxIdLength || id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '\\'))
        {
            return Problems.BadRequest($"the factory certificate's common name \"{id}\" is not a usable device id (1 to {MaxIdLength} characters, no spaces, slashes or control characters).");
        }

        if (string.IsNullOrWhiteSpace(request.Hardware) || request.Hardware.Length > 128 || request.Hardware.Any(char.IsControl))
        {
            return Problems.BadRequest("hardware must be a non-empty hardware id of at most 128 characters.");
        }

        CertificateRequest csr;
        byte[] csrDer;
        try
        {
            csrDer = PemEncoding.Find(request.Csr) is var fields && request.Csr.AsSpan()[fields.Label].SequenceEqual("CERTIFICATE REQUEST")
                ? Convert.FromBase64String(request.Csr[fields.Base64Data])
                : throw new CryptographicException("the PEM label is not CERTIFICATE REQUEST");
            csr = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or FormatException)
        {
            return Problems.BadRequest($"csr is not a valid, self-signed PKCS#10 request in PEM: {ex.Message}");
        }

        string publicKeyPem;
        using (var deviceKey = csr.PublicKey.GetECDsaPublicKey())
        {
            if (deviceKey is null || !EcdsaP256.IsP256(deviceKey))
            {
                return Problems.BadRequest("the CSR's key is not ECDSA P-256; Otter device keys are P-256.");
            }

            publicKeyPem = EcdsaP256.ToTufKey(deviceKey).KeyValue.Public;
        }

        if (csr.SubjectName.Name != "CN=" + id)
        {
            return Problems.BadRequest($"the CSR's subject is \"{csr.SubjectName.Name}\"; it must be CN={id}, the factory certificate's name.");
        }

        using (var factoryKey = leaf.GetECDsaPublicKey())
        {
            byte[] signature;
            try
            {
                signature = Convert.FromBase64String(request.FactorySignature);
            }
            catch (FormatException)
            {
                return Problems.BadRequest("factory_signature is not base64.");
            }

            if (factoryKey is null || !factoryKey.VerifyData(csrDer, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
            {
                return Problems.Forbidden("factory_signature does not verify with the factory certificate's key over the CSR; the device must sign its CSR with its factory identity key.");
            }
        }

        var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (device is { Status: DeviceStatuses.Wiped })
        {
            if (device.PublicKeyPem == publicKeyPem)
            {
                return Problems.Forbidden($"device {id} was wiped; it must crypto-erase its key and enroll with a new one (the old key is not trusted again).");
            }

            // A wiped device comes back as a new fleet identity: the old record keeps its history under an archive id.
            await ArchiveWipedAsync(db, device, cancellationToken);
            device = null;
        }

        if (device is not null && device.PublicKeyPem != publicKeyPem)
        {
            var detail = $"enrollment as {id} with a different device key than the enrolled one (factory certificate serial {leaf.SerialNumber}); refused as a possible clone";
            db.DeviceEvents.Add(new DeviceEventRow { DeviceId = id, At = now, Kind = "cloned-identity", Detail = detail });
            await db.SaveChangesAsync(cancellationToken);
            await audit.AppendAsync(db, $"device:{id}", "device.clone-refused", id, detail, cancellationToken);
            await incidents.DetectAsync(
                db,
                device,
                Protocol.Incidents.IncidentKinds.ClonedIdentity,
                $"device {id} enrolled again with another key (possible clone)",
                new Dictionary<string, string> { ["factory_serial"] = leaf.SerialNumber, ["factory_issuer"] = leaf.Issuer },
                $"cloned-identity:{id}:{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(publicKeyPem)))}",
                cancellationToken);
            LogRefused(logger, leaf.Subject, detail);
            return Problems.Conflict($"device {id} is already enrolled with another key; re-enrollment with a new key is refused (decommission the old record first if the device was really re-keyed).");
        }

        if (device is { Status: DeviceStatuses.Decommissioned })
        {
            return Problems.Forbidden($"device {id} is decommissioned; it cannot enroll again under this identity.");
        }

        var isNew = device is null;
        device ??= new DeviceRow
        {
            Id = id,
            Hardware = request.Hardware,
            Status = state.Settings.AutoApprove ? DeviceStatuses.Approved : DeviceStatuses.Pending,
            PublicKeyPem = publicKeyPem,
            FactoryIssuer = leaf.Issuer,
            FactorySerial = leaf.SerialNumber,
            EnrolledAt = now,
        };
        if (isNew)
        {
            db.Devices.Add(device);
        }

        EnrollResponse response;
        if (device.Status == DeviceStatuses.Pending)
        {
            response = new EnrollResponse { DeviceId = id, Status = EnrollmentStatus.Pending, CaCertificate = state.CaCertificate.ExportCertificatePem() };
        }
        else
        {
            using var certificate = CertificateAuthority.IssueDevice(state.CaCertificate, state.CaKey, csr.PublicKey, id, now, state.Settings.DeviceCertificateDays);
            device.CertificateSha256 = Convert.ToHexStringLower(SHA256.HashData(certificate.RawDataMemory.Span));
            device.CertificateNotAfter = certificate.NotAfter.ToUniversalTime();
            device.TokenSecret ??= RandomNumberGenerator.GetBytes(32);
            response = new EnrollResponse
            {
                DeviceId = id,
                Status = EnrollmentStatus.Approved,
                Certificate = certificate.ExportCertificatePem(),
                CaCertificate = state.CaCertificate.ExportCertificatePem(),
                TokenSecret = Convert.ToBase64String(device.TokenSecret),
            };
        }

        db.DeviceEvents.Add(new DeviceEventRow { DeviceId = id, At = now, Kind = "enrolled", Detail = $"{(isNew ? "new" : "again")}, {device.Status}, hardware {device.Hardware}" });
        await db.SaveChangesAsync(cancellationToken);
        await audit.AppendAsync(db, $"device:{id}", isNew ? "device.enroll" : "device.re-enroll", id, device.Status, cancellationToken);
        return response.Status == EnrollmentStatus.Pending
            ? Results.Json(response, Otter.Protocol.ProtocolJsonContext.Default.EnrollResponse, statusCode: StatusCodes.Status202Accepted)
            : Results.Json(response, Otter.Protocol.ProtocolJsonContext.Default.EnrollResponse);
    }

    /// <summary>Moves a wiped record (and its events, incidents, evidence) to <c>ID~wiped-N</c>, freeing the id for a new fleet identity.</summary>
    private async Task ArchiveWipedAsync(OtterDbContext db, DeviceRow wiped, CancellationToken cancellationToken)
    {
        var id = wiped.Id;
        var prefix = id + "~wiped-";
        var n = await db.Devices.CountAsync(d => d.Id.StartsWith(prefix), cancellationToken) + 1;
        var archive = prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Devices.Remove(wiped);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(wiped).State = EntityState.Detached;
        db.Devices.Add(new DeviceRow
        {
            Id = archive,
            Hardware = wiped.Hardware,
            Status = DeviceStatuses.Wiped,
            PublicKeyPem = wiped.PublicKeyPem,
            FactoryIssuer = wiped.FactoryIssuer,
            FactorySerial = wiped.FactorySerial,
            TagsJson = wiped.TagsJson,
            AttributesJson = wiped.AttributesJson,
            SlotsJson = wiped.SlotsJson,
            SecurityCounter = wiped.SecurityCounter,
            LastSeen = wiped.LastSeen,
            Attestation = wiped.Attestation,
            AttestationDetail = wiped.AttestationDetail,
            Measurement = wiped.Measurement,
            EnrolledAt = wiped.EnrolledAt,
        });
        await db.SaveChangesAsync(cancellationToken);
        await db.DeviceEvents.Where(e => e.DeviceId == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.DeviceId, archive), cancellationToken);
        await db.Incidents.Where(i => i.DeviceId == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.DeviceId, archive), cancellationToken);
        await db.ForensicBundles.Where(b => b.DeviceId == id).ExecuteUpdateAsync(s => s.SetProperty(b => b.DeviceId, archive), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await audit.AppendAsync(db, $"device:{id}", "device.archive-wiped", id, $"the wiped record is kept as {archive}; {id} enrolls as a new fleet identity", cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "enrollment refused for {Subject}: {Problem}")]
    private static partial void LogRefused(ILogger logger, string subject, string problem);
}
