using System.Security.Cryptography;
using System.Text;

namespace Otter.Trust.Tuf.Client;

/// <summary>Decides whether a delegated role is trusted for a target path, as python-tuf does.</summary>
internal static class DelegationMatcher
{
    /// <summary>Whether <paramref name="role"/> is trusted for <paramref name="targetPath"/>.</summary>
    public static bool IsTrustedFor(DelegatedRole role, string targetPath)
    {
        if (role.Paths is { } patterns)
        {
            foreach (var pattern in patterns)
            {
                if (IsPathMatch(pattern, targetPath))
                {
                    return true;
                }
            }

            return false;
        }

        if (role.PathHashPrefixes is { } prefixes)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(targetPath)));
            foreach (var prefix in prefixes)
            {
                if (hash.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Shell-style matching per path segment: both must have the same number of
    /// <c>/</c>-separated segments and each segment must match (<c>*</c>, <c>?</c>,
    /// <c>[seq]</c>, <c>[!seq]</c>), so wildcards never cross a <c>/</c>.
    /// </summary>
    public static bool IsPathMatch(string pattern, string targetPath)
    {
        var patternParts = pattern.Split('/');
        var targetParts = targetPath.Split('/');
        if (patternParts.Length != targetParts.Length)
        {
            return false;
        }

        for (var i = 0; i < patternParts.Length; i++)
        {
            if (!IsSegmentMatch(patternParts[i], targetParts[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>fnmatch-style matching of one segment (case-sensitive, no escapes).</summary>
    internal static bool IsSegmentMatch(string pattern, string text)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
                continue;
            }

            if (p < pattern.Length && MatchOne(pattern, p, text[t], out var next))
            {
                p = next;
                t++;
                continue;
            }

            if (starP < 0)
            {
                return false;
            }

            p = starP + 1;
            t = ++starT;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static bool MatchOne(string pattern, int p, char c, out int next)
    {
        switch (pattern[p])
        {
            case '?':
                next = p + 1;
                return true;
            case '[' when TryMatchClass(pattern, p, c, out var matched, out var end):
                next = end;
                return matched;
            default:
                next = p + 1;
                return pattern[p] == c;
        }
    }

    private static bool TryMatchClass(string pattern, int start, char c, out bool matched, out int end)
    {
        var i = start + 1;
        var negate = i < pattern.Length && pattern[i] == '!';
        if (negate)
        {
            i++;
        }

        var first = i;
        var found = false;
        while (i < pattern.Length && (pattern[i] != ']' || i == first))
        {
            if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                found |= pattern[i] <= c && c <= pattern[i + 2];
                i += 3;
            }
            else
            {
                found |= pattern[i] == c;
                i++;
            }
        }

        if (i >= pattern.Length)
        {
            // No closing bracket: the '[' is an ordinary character, as in fnmatch.
            matched = false;
            end = start;
            return false;
        }

        matched = found != negate;
        end = i + 1;
        return true;
    }
}
