namespace Otter.Server.Setup;

/// <summary><c>audit-head.json</c>: the last audit row, kept outside the database so that deleting the newest rows shows.</summary>
internal sealed record AuditHead(long Sequence, string Hash);
