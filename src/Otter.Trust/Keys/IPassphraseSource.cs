namespace Otter.Trust.Keys;

/// <summary>Supplies the passphrase of an encrypted key file.</summary>
public interface IPassphraseSource
{
    /// <summary>
    /// Returns the passphrase for <paramref name="keyPath"/>. <paramref name="confirm"/> asks for
    /// it twice (when a new key is being encrypted).
    /// </summary>
    /// <exception cref="KeyException">No passphrase can be had (no variable set and no terminal).</exception>
    string GetPassphrase(string keyPath, bool confirm);
}
