namespace Otter.Trust.Json;

/// <summary>
/// Carries a canonicalisation failure up the tree, collecting the JSON path on the way so that
/// the path is only built when something is wrong.
/// </summary>
internal sealed class CanonicalPathException(string problem) : Exception(problem)
{
    public Stack<string> Segments { get; } = new();

    public string Describe() => "$" + string.Concat(Segments) + " " + Message + ".";
}
