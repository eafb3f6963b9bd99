using System.Globalization;
using System.Text;

namespace Otter.Server.Rollouts.Filters;

/// <summary>
/// The device filter language:
/// <code>
/// expr       := term ("or" term)*
/// term       := factor ("and" factor)*
/// factor     := "not" factor | "(" expr ")" | "all" | comparison
/// comparison := FIELD ("==" | "!=") VALUE | FIELD ["not"] "in" "[" VALUE ("," VALUE)* "]"
///             | "tags" ["not"] "has" STRING | "security_counter" ("&lt;" | "&lt;=" | "&gt;" | "&gt;=" | "==" | "!=") INTEGER
/// FIELD      := hardware | id | status | version | tags | security_counter | attr.NAME
/// VALUE      := "double-quoted string" (\" and \\ escape)
/// </code>
/// e.g. <c>hardware == "gw-x2" and tags has "eu" and attr.site != "lab"</c>.
/// </summary>
internal sealed class FilterParser
{
    private const int MaxLength = 4096;
    private static readonly string[] StringFields = ["hardware", "id", "status", "version"];

    private readonly List<(string Text, bool Quoted, int Position)> _tokens;
    private int _next;

    private FilterParser(List<(string, bool, int)> tokens) => _tokens = tokens;

    /// <summary>Parses <paramref name="text"/>; empty or <c>all</c> selects every device.</summary>
    /// <exception cref="FilterException">The filter is not valid; the message says where and why.</exception>
    public static FilterExpression Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new AllFilter();
        }

        if (text.Length > MaxLength)
        {
            throw new FilterException($"the filter is {text.Length} characters; at most {MaxLength}.");
        }

        var parser = new FilterParser(Tokenize(text));
        var expression = parser.Or();
        if (parser._next < parser._tokens.Count)
        {
            throw parser.Error("\"and\", \"or\" or the end of the filter");
        }

        return expression;
    }

    private FilterExpression Or()
    {
        var left = And();
        while (Accept("or"))
        {
            left = new OrFilter(left, And());
        }

        return left;
    }

    private FilterExpression And()
    {
        var left = Factor();
        while (Accept("and"))
        {
            left = new AndFilter(left, Factor());
        }

        return left;
    }

    private FilterExpression Factor()
    {
        if (Accept("not"))
        {
            return new NotFilter(Factor());
        }

        if (Accept("("))
        {
            var inner = Or();
            Expect(")");
            return inner;
        }

        if (Accept("all"))
        {
            return new AllFilter();
        }

        return Comparison();
    }

    private ComparisonFilter Comparison()
    {
        var (field, quoted, position) = Take("a field (hardware, id, status, version, tags, security_counter or attr.NAME)");
        if (quoted || !(StringFields.Contains(field) || field is "tags" or "security_counter" || (field.StartsWith("attr.", StringComparison.Ordinal) && field.Length > 5)))
        {
            throw new FilterException($"unknown field \"{field}\" at position {position + 1}; fields are hardware, id, status, version, tags, security_counter and attr.NAME.");
        }

        if (field == "tags")
        {
            var negated = Accept("not");
            Expect("has");
            return new ComparisonFilter(field, negated ? "not has" : "has", [String("a tag in double quotes")]);
        }

        if (field == "security_counter")
        {
            var (op, _, opPosition) = Take("a comparison (<, <=, >, >=, ==, !=)");
            if (op is not ("<" or "<=" or ">" or ">=" or "==" or "!="))
            {
                throw new FilterException($"security_counter takes <, <=, >, >=, == or != at position {opPosition + 1}, not \"{op}\".");
            }

            var (number, numberQuoted, numberPosition) = Take("an integer");
            if (numberQuoted || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new FilterException($"security_counter compares with a non-negative integer; \"{number}\" at position {numberPosition + 1} is not one.");
            }

            return new ComparisonFilter(field, op, [number]);
        }

        if (Accept("==") || Accept("!="))
        {
            var op = _tokens[_next - 1].Text;
            return new ComparisonFilter(field, op, [String("a value in double quotes")]);
        }

        var not = Accept("not");
        if (Accept("in"))
        {
            Expect("[");
            var values = new List<string> { String("a value in double quotes") };
            while (Accept(","))
            {
                values.Add(String("a value in double quotes"));
            }

            Expect("]");
            return new ComparisonFilter(field, not ? "not in" : "in", values);
        }

        throw Error(not ? "\"in\"" : "== , != or in");
    }

    private string String(string expected)
    {
        var (text, quoted, position) = Take(expected);
        return quoted ? text : throw new FilterException($"expected {expected} at position {position + 1}, found {text}.");
    }

    private bool Accept(string keyword)
    {
        if (_next < _tokens.Count && !_tokens[_next].Quoted && _tokens[_next].Text == keyword)
        {
            _next++;
            return true;
        }

        return false;
    }

    private void Expect(string keyword)
    {
        if (!Accept(keyword))
        {
            throw Error($"\"{keyword}\"");
        }
    }

    private (string Text, bool Quoted, int Position) Take(string expected) =>
        _next < _tokens.Count ? _tokens[_next++] : throw Error(expected);

    private FilterException Error(string expected) =>
        _next < _tokens.Count
            ? new FilterException($"expected {expected} at position {_tokens[_next].Position + 1}, found {(_tokens[_next].Quoted ? "\"" + _tokens[_next].Text + "\"" : _tokens[_next].Text)}.")
            : new FilterException($"expected {expected}, but the filter ends.");

    private static List<(string, bool, int)> Tokenize(string text)
    {
        var tokens = new List<(string, bool, int)>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '"')
            {
                var start = i++;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FilterException($"the string starting at position {start + 1} is not closed with \".");
                    }

                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
                    {
                        value.Append(text[i + 1]);
                        i += 2;
                    }
                    else if (text[i] == '"')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        value.Append(text[i++]);
                    }
                }

                tokens.Add((value.ToString(), true, start));
            }
            else if (c is '(' or ')' or '[' or ']' or ',')
            {
                tokens.Add((c.ToString(), false, i++));
            }
            else if (c is '=' or '!' or '<' or '>')
            {
                var two = i + 1 < text.Length && text[i + 1] == '=';
                var op = two ? text.Substring(i, 2) : c.ToString();
                if (op is "=" or "!")
                {
                    throw new FilterException($"\"{op}\" at position {i + 1} is not an operator; write == or !=.");
                }

                tokens.Add((op, false, i));
                i += op.Length;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.' or '-'))
                {
                    i++;
                }

                tokens.Add((text[start..i], false, start));
            }
            else
            {
                throw new FilterException($"unexpected character '{c}' at position {i + 1}.");
            }
        }

        return tokens;
    }
}
