using Bisync.Engine;

namespace Bisync.UnitTests.Engine;

/// <summary>The plan as a table: deltas on each side in, decisions out, with no storage at all.</summary>
public class PlannerTests
{
    private static SideDeltas Side(string side, params (string Path, DeltaKind Kind)[] deltas) =>
        new(side, deltas.Select(d => new Delta(d.Path, d.Kind)).ToList(), priorCount: 10);

    public static TheoryData<DeltaKind, DeltaKind, DecisionKind> Rows => new()
    {
        // On Path1              On Path2            Decision
        { DeltaKind.New,         DeltaKind.None,     DecisionKind.CopyToPath2 },
        { DeltaKind.Newer,       DeltaKind.None,     DecisionKind.CopyToPath2 },
        { DeltaKind.Older,       DeltaKind.None,     DecisionKind.CopyToPath2 },
        { DeltaKind.Size,        DeltaKind.None,     DecisionKind.CopyToPath2 },
        { DeltaKind.Hash,        DeltaKind.None,     DecisionKind.CopyToPath2 },
        { DeltaKind.Deleted,     DeltaKind.None,     DecisionKind.DeleteOnPath2 },
        { DeltaKind.None,        DeltaKind.New,      DecisionKind.CopyToPath1 },
        { DeltaKind.None,        DeltaKind.Newer,    DecisionKind.CopyToPath1 },
        { DeltaKind.None,        DeltaKind.Older,    DecisionKind.CopyToPath1 },
        { DeltaKind.None,        DeltaKind.Deleted,  DecisionKind.DeleteOnPath1 },
        { DeltaKind.Newer,       DeltaKind.Deleted,  DecisionKind.CopyToPath2 },
        { DeltaKind.Deleted,     DeltaKind.Newer,    DecisionKind.CopyToPath1 },
        { DeltaKind.Deleted,     DeltaKind.Deleted,  DecisionKind.None },
        { DeltaKind.New,         DeltaKind.New,      DecisionKind.KeepBoth },
        { DeltaKind.Newer,       DeltaKind.Newer,    DecisionKind.KeepBoth },
        { DeltaKind.Newer,       DeltaKind.Older,    DecisionKind.KeepBoth },
        { DeltaKind.Size,        DeltaKind.Newer,    DecisionKind.KeepBoth },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_pair_of_deltas_gets_its_decision(DeltaKind on1, DeltaKind on2, DecisionKind expected)
    {
        var d1 = on1 == DeltaKind.None ? Side("Path1") : Side("Path1", ("f.txt", on1));
        var d2 = on2 == DeltaKind.None ? Side("Path2") : Side("Path2", ("f.txt", on2));
        var plan = Planner.Decide(d1, d2, _ => false);
        var d = Assert.Single(plan.Decisions);
        Assert.Equal(new Decision("f.txt", on1, on2, expected,
            expected == DecisionKind.KeepBoth ? "f.txt..path1" : null,
            expected == DecisionKind.KeepBoth ? "f.txt..path2" : null), d);
    }

    [Fact]
    public void Conflict_names_skip_names_in_use_on_either_side()
    {
        var taken = new HashSet<string> { "a..path1", "a..path1-2", "a..path2" };
        var plan = Planner.Decide(Side("Path1", ("a", DeltaKind.Newer)), Side("Path2", ("a", DeltaKind.Newer)), taken.Contains);
        var d = Assert.Single(plan.Decisions);
        Assert.Equal("a..path1-3", d.Rename1);
        Assert.Equal("a..path2-2", d.Rename2);
    }

    [Fact]
    public void Decisions_come_in_rclone_order_Path1_changes_first_then_Path2_only_changes()
    {
        var plan = Planner.Decide(
            Side("Path1", ("b", DeltaKind.New), ("d", DeltaKind.Deleted)),
            Side("Path2", ("a", DeltaKind.Newer), ("b", DeltaKind.New), ("c", DeltaKind.Deleted)),
            _ => false);
        Assert.Equal(["b KeepBoth", "d DeleteOnPath2", "a CopyToPath1", "c DeleteOnPath1"],
            plan.Decisions.Select(x => $"{x.Path} {x.Kind}"));
    }

    [Fact]
    public void A_decision_prints_as_one_readable_line()
    {
        var d = new Decision("x/y.txt", DeltaKind.Newer, DeltaKind.None, DecisionKind.CopyToPath2);
        Assert.Equal("x/y.txt: newer on Path1, unchanged on Path2 -> CopyToPath2", d.ToString());
    }
}
