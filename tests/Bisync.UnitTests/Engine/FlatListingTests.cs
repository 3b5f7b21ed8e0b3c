using System.Runtime.CompilerServices;
using Bisync.Engine;
using Bisync.Filters;
using Bisync.Storage;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>A flat (recursive) listing must keep exactly the files a pruning walk keeps.</summary>
public class FlatListingTests
{
    /// <summary>The local backend seen only through ListRecursiveAsync (no ISyncLister).</summary>
    private sealed class FlatOnly(LocalStorage inner) : DelegatingStorage(inner), IRecursiveLister
    {
        public async IAsyncEnumerable<StorageEntry> ListRecursiveAsync(bool modTimes, [EnumeratorCancellation] CancellationToken ct)
        {
            var pending = new Stack<string>([""]);
            while (pending.Count > 0)
            {
                foreach (var e in Inner.ListDirectory(pending.Pop()))
                {
                    if (e.IsDir) pending.Push(e.Path); else yield return e;
                }
            }
            await Task.CompletedTask;
        }

        public override IAsyncEnumerable<StorageEntry> ListAsync(string dir, CancellationToken ct) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData()]
    [InlineData("--exclude", "skip/**")]
    [InlineData("--filter", "- /a/b/", "--filter", "+ *.txt", "--filter", "- *")]
    [InlineData("--include", "a/**")]
    [InlineData("--exclude-if-present", ".ignore")]
    public async Task Flat_and_walked_listings_agree(params string[] flags)
    {
        using var t = new TempTree();
        foreach (var p in new[] { "top.txt", "top.bin", "a/x.txt", "a/b/y.txt", "a/b/c/z.txt", "skip/s.txt", "skip/deep/s2.txt",
                     "m/.ignore", "m/hidden.txt", "m/sub/hidden2.txt", "n/shown.txt" })
            TempTree.Write(t.Path1, p, p);
        var rules = new List<FilterFlag>();
        var marker = new List<string>();
        for (var i = 0; i < flags.Length; i += 2)
        {
            if (flags[i] == "--exclude-if-present") marker.Add(flags[i + 1]);
            else rules.Add(new FilterFlag(flags[i], flags[i + 1]));
        }
        IPathFilter filter = flags.Length == 0
            ? IncludeAllFilter.Instance
            : FilterSet.Build(new FilterOptions { Rules = rules, ExcludeIfPresent = marker }, null, DateTime.Now);
        var local = new LocalStorage(t.Path1);
        var walked = await TreeLister.ListAsync(local, filter, 4, CancellationToken.None);
        var flat = await TreeLister.ListAsync(new FlatOnly(local), filter, 4, CancellationToken.None);
        Assert.Equal(walked.Entries, flat.Entries);
        if (flags.Length > 0) Assert.True(walked.Count < 11, "the filter should have removed something");
    }
}
