using Otter.Trust.Keys;

namespace Otter.Agent.Platform;

/// <summary>Where a key named in <c>device.json</c> lives.</summary>
internal static class DeviceKeyReference
{
    /// <summary>
    /// A pkcs11: URI or an absolute path (a key given at provisioning) is used as it is; a
    /// relative path is a key generated inside the device folder.
    /// </summary>
    public static string Resolve(IDeviceStorage storage, string reference) =>
        KeyLoader.IsPkcs11Uri(reference) || Path.IsPathRooted(reference) ? reference : storage.FullPath(reference);
}
