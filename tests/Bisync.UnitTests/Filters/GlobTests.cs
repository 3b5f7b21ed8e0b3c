using Bisync.Filters;
using Xunit;

namespace Bisync.UnitTests.Filters;

/// <summary>The glob → regular expression translation, rule by rule.</summary>
public sealed class GlobTests
{
    [Theory]
    [InlineData("a", "(^|/)a$")]
    [InlineData("/a", "^a$")]
    [InlineData("*.jpg", "(^|/)[^/]*\\.jpg$")]
    [InlineData("a/**", "(^|/)a/.*$")]
    [InlineData("**", "(^|/).*$")]
    [InlineData("/**", "^.*$")]
    [InlineData("?.txt", "(^|/)[^/]\\.txt$")]
    [InlineData("[a-c]x", "(^|/)[a-c]x$")]
    [InlineData("[^a]", "(^|/)[^a]$")]
    [InlineData("[!a]", "(^|/)[!a]$")]
    [InlineData("[*?]", "(^|/)[*?]$")]
    [InlineData("[[:alpha:]]x", "(^|/)[[:alpha:]]x$")]
    [InlineData("*.{txt,md}", "(^|/)[^/]*\\.(txt|md)$")]
    [InlineData("{a*,b?}", "(^|/)(a[^/]*|b[^/])$")]
    [InlineData("a{}b", "(^|/)a()b$")]
    [InlineData("{a\\,b,c}", "(^|/)(a\\,b|c)$")]
    [InlineData("{a[,]b,c}", "(^|/)(a[,]b|c)$")]
    [InlineData("{{\\d+}}.txt", "(^|/)(\\d+)\\.txt$")]
    [InlineData("a{{b}}c{{d}}", "(^|/)a(b)c(d)$")]
    [InlineData("{{b}}}x", "(^|/)(b})x$")]
    [InlineData("a{{b{{c}}}}", "(^|/)a(b{{c}})$")]
    [InlineData("x\\*y", "(^|/)x\\*y$")]
    [InlineData("\\{", "(^|/)\\{$")]
    [InlineData("a\\", "(^|/)a\\$")]
    [InlineData("a.b+c(d)|e^$", "(^|/)a\\.b\\+c\\(d\\)\\|e\\^\\$$")]
    [InlineData("a b,c#d", "(^|/)a b,c#d$")]
    [InlineData("ü é/x", "(^|/)ü é/x$")]
    [InlineData("", "(^|/)$")]
    public void TranslatesGlob(string glob, string regex) => Assert.Equal(regex, Glob.ToRegex(glob, ignoreCase: false));

    [Fact]
    public void IgnoreCasePrefixesTheRegex() => Assert.Equal("(?i)(^|/)a[^/]*$", Glob.ToRegex("a*", ignoreCase: true));

    [Theory]
    [InlineData("a[b", "mismatched '[' and ']'")]
    [InlineData("[a[b]", "mismatched '[' and ']'")]
    [InlineData("a]b", "mismatched ']'")]
    [InlineData("[]a]", "mismatched ']'")]
    [InlineData("a{b", "mismatched '{' and '}'")]
    [InlineData("a}b", "mismatched '{' and '}'")]
    [InlineData("{a,{b,c}}", "can't nest")]
    [InlineData("{{a", "mismatched '{{' and '}}'")]
    [InlineData("***", "too many stars")]
    [InlineData("a/***/b", "too many stars")]
    public void RejectsMalformedGlob(string glob, string message)
    {
        var e = Assert.Throws<GlobException>(() => Glob.ToRegex(glob, ignoreCase: false));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(^|/)[^/]*\\.jpg$", "a/b.jpg", true)]
    [InlineData("(^|/)[^/]*\\.jpg$", "a/b.jpg\n", false)]
    [InlineData("(^|/)(\\d+)$", "123", true)]
    [InlineData("(^|/)(\\d+)$", "١٢٣", false)]
    [InlineData("(^|/)[[:upper:]]x$", "Ax", true)]
    [InlineData("(^|/)[[:upper:]]x$", "ax", false)]
    [InlineData("(^|/)[[:upper:]]x$", ":x", false)]
    [InlineData("(^|/)(\\pL+)$", "abc", true)]
    [InlineData("(^|/)(\\Qa.b\\E)$", "a.b", true)]
    [InlineData("(^|/)(\\Qa.b\\E)$", "axb", false)]
    [InlineData("(^|/)((?P<n>x)y)$", "xy", true)]
    [InlineData("(^|/)(\\x{e9})$", "é", true)]
    [InlineData("(^|/)[a[b]]$", "[]", true)]
    public void TranslatesGoRegexToDotNet(string go, string input, bool matches)
    {
        var regex = new System.Text.RegularExpressions.Regex(GoRegex.ToDotNet(go));
        Assert.Equal(matches, regex.IsMatch(input));
    }

    [Theory]
    [InlineData("*.tmp", null, ".tmp", null)]
    [InlineData("/docs/**", "docs/", null, null)]
    [InlineData("/a", "a", "a", null)]
    [InlineData("**/.git/**", null, null, "/.git/")]
    [InlineData("a/**/longer part/*.txt", null, ".txt", "/longer part/")]
    [InlineData("{a,b}/x", null, "/x", null)]
    [InlineData("x\\*y.txt", null, "y.txt", null)]
    [InlineData("[ab]c/*", null, null, "c/")]
    [InlineData("{{.*}}.txt", null, null, null)]
    public void FindsLiteralsEveryMatchHolds(string glob, string? prefix, string? suffix, string? longest)
    {
        var literals = Glob.RequiredLiterals(glob);
        Assert.Equal(prefix, literals?.Prefix);
        Assert.Equal(suffix, literals?.Suffix);
        Assert.Equal(longest, literals?.Longest);
    }

    [Theory]
    [InlineData("{{(a|a?)+}}**b**c**d**e**f**z")]
    [InlineData("**x**x**x**x**y")]
    [InlineData("a*b*c*d")]
    public void Rules_that_could_backtrack_get_the_linear_engine(string glob)
    {
        // A backtracking engine takes exponential time on such rules against long paths;
        // RE2 (rclone) and .NET's non-backtracking engine take linear time. Checked by the
        // engine chosen, not by a clock.
        var regex = FilterSet.Compile(Glob.ToRegex(glob, false), glob);
        Assert.True(regex.Options.HasFlag(System.Text.RegularExpressions.RegexOptions.NonBacktracking), regex.Options.ToString());

        var filter = FilterSet.Build(new FilterOptions { Rules = [new FilterFlag("--filter", "- " + glob)] }, null, DateTime.UtcNow);
        string path = string.Join('/', Enumerable.Repeat("a/b/c/d/e/f/x", 60));
        Assert.True(filter.IncludeFile(path, 0, 0));
    }
}
