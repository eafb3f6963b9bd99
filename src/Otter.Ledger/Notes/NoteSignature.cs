namespace Otter.Ledger.Notes;

/// <summary>One signature line of a signed note.</summary>
public sealed record NoteSignature(string Name, uint KeyId, byte[] Signature);
