using Bisync.Filters;
using Xunit;

namespace Bisync.UnitTests.Filters;

/// <summary>User errors in rules and rule files: one clear line, naming file and line.</summary>
public sealed class FilterErrorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bisync-filter-errors-" + Guid.NewGuid().ToString("N")[..12]);

    public FilterErrorTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static FilterException Fails(FilterOptions options, string? filtersFile = null) =>
        Assert.Throws<FilterException>(() => FilterSet.Build(options, filtersFile, DateTime.UtcNow));

    private static FilterOptions Rules(params (string Name, string Value)[] flags) =>
        new() { Rules = flags.Select(f => new FilterFlag(f.Name, f.Value)).ToList() };

    [Theory]
    [InlineData("- ok\n\n+ ok too\ninclude this\n", 4, "malformed rule \"include this\"")]
    [InlineData("# comment\n+\tx\n", 2, "malformed rule \"+\tx\"")]
    [InlineData("- a\n- b[c\n", 2, "mismatched '[' and ']' in glob \"b[c\"")]
    [InlineData("- a\n;c\n\n+ {x,y\n", 4, "mismatched '{' and '}'")]
    [InlineData("+ {{(}}\n", 1, "bad glob pattern \"{{(}}\"")]
    [InlineData("- ***.txt\n", 1, "too many stars")]
    [InlineData("+ a[/]b/c\n", 1, "mismatched '[' and ']' in glob \"a[/\"")]
    [InlineData("- {{(?=a)b}}\n", 1, "bad glob pattern")]
    [InlineData("- {{a\\1}}\n", 1, "bad glob pattern")]
    [InlineData("- [[:nope:]]\n", 1, "invalid character class")]
    public void FilterFromNamesFileAndLine(string content, int line, string message)
    {
        string file = Write("filters.txt", content);
        var e = Fails(Rules(("--filter-from", file)));
        Assert.StartsWith($"{file}:{line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BisyncFiltersFileNamesFileAndLine()
    {
        string file = Write("bisync-filters.txt", "- *.tmp\n\n  + keep/**  \nkeep\n");
        var e = Fails(new FilterOptions(), file);
        Assert.StartsWith($"{file}:4: malformed rule \"keep\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IncludeFromNamesFileAndLine()
    {
        string file = Write("include.txt", "a\n# comment\nb{\n");
        var e = Fails(Rules(("--include-from", file)));
        Assert.StartsWith($"{file}:3: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("mismatched '{' and '}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--filter", "+foo", "malformed rule")]
    [InlineData("--filter", "", "malformed rule")]
    [InlineData("--filter", "# comment", "malformed rule")]
    [InlineData("--include", "a]", "mismatched ']'")]
    [InlineData("--exclude", "a/{{x", "mismatched '{{' and '}}'")]
    public void FlagErrorsNameTheFlag(string flag, string value, string message)
    {
        var e = Fails(Rules((flag, value)));
        Assert.StartsWith($"{flag} \"{value}\": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsAFilterError()
    {
        var e = Fails(Rules(("--filter-from", Path.Combine(_dir, "missing.txt"))));
        Assert.Contains("missing.txt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FilesFromWithOtherFiltersIsRejected()
    {
        string list = Write("list.txt", "a\n");
        var e = Fails(new FilterOptions { FilesFrom = [list], Rules = [new FilterFlag("--exclude", "b")] });
        Assert.Contains("--files-from overrides all other filters", e.Message, StringComparison.Ordinal);
        Fails(new FilterOptions { FilesFromRaw = [list], MinSize = 10 });
    }

    [Fact]
    public void MinAgeLargerThanMaxAgeIsRejected()
    {
        var e = Fails(new FilterOptions { MinAge = TimeSpan.FromDays(7), MaxAge = TimeSpan.FromDays(1) });
        Assert.Contains("--min-age", e.Message, StringComparison.Ordinal);
    }
}
