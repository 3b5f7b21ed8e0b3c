using System.Text;

namespace Bisync.Text;

/// <summary>
/// Unicode canonical normalisation (NFC, NFD) by the algorithm of Unicode Standard Annex #15, over the
/// tables in <c>UnicodeTables.g.cs</c>. Our own because the runtime's string.Normalize does nothing for
/// non-ASCII text under InvariantGlobalization (set for the whole project). A lone surrogate (how a
/// name's bytes that are not UTF-8 are carried) has no decomposition and class 0: it is kept as it is.
/// </summary>
public static class UnicodeNormalization
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Dictionary<int, (int First, int Second)> Decomposition = BuildDecompositions();
    private static readonly Dictionary<int, byte> Class = BuildClasses();
    private static readonly Dictionary<long, int> Composition = BuildCompositions();

    /// <summary>The Unicode version of the tables.</summary>
    public static string Version => UnicodeTables.Version;

    public static string ToNfc(string s)
    {
        if (AllBelow(s, 0x300)) return s; // no combining mark, nothing to compose or decompose
        var cps = Decompose(s);
        Compose(cps);
        var nfc = Build(cps);
        return nfc == s ? s : nfc;
    }

    public static string ToNfd(string s)
    {
        if (AllBelow(s, 0xC0)) return s;
        var nfd = Build(Decompose(s));
        return nfd == s ? s : nfd;
    }

    public static bool IsNfc(string s) => ReferenceEquals(ToNfc(s), s);

    private static bool AllBelow(string s, int limit)
    {
        foreach (var c in s)
            if (c >= limit) return false;
        return true;
    }

    private static int CombiningClass(int cp) => cp < 0x300 ? 0 : Class.GetValueOrDefault(cp);

    /// <summary>Full canonical decomposition, then the canonical ordering of combining marks.</summary>
    private static List<int> Decompose(string s)
    {
        var cps = new List<int>(s.Length + 8);
        for (var i = 0; i < s.Length; i++)
        {
            int cp = s[i];
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) cp = char.ConvertToUtf32(s[i], s[++i]);
            DecomposeOne(cp, cps);
        }
        // Canonical ordering: a stable sort of each run of non-starters by class (runs are short: insertion sort).
        for (var i = 1; i < cps.Count; i++)
        {
            var cc = CombiningClass(cps[i]);
            if (cc == 0) continue;
            var j = i;
            while (j > 0 && CombiningClass(cps[j - 1]) > cc)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
                j--;
            }
        }
        return cps;
    }

    private static void DecomposeOne(int cp, List<int> into)
    {
        if (cp is >= SBase and < SBase + SCount)
        {
            var index = cp - SBase;
            into.Add(LBase + index / NCount);
            into.Add(VBase + index % NCount / TCount);
            if (index % TCount != 0) into.Add(TBase + index % TCount);
            return;
        }
        if (cp >= 0xC0 && Decomposition.TryGetValue(cp, out var d))
        {
            DecomposeOne(d.First, into);
            if (d.Second >= 0) DecomposeOne(d.Second, into);
            return;
        }
        into.Add(cp);
    }

    /// <summary>
    /// Canonical composition of a decomposed, ordered sequence, in place: each character joins the last
    /// starter when nothing between them blocks it (nothing at all, or only marks of a lower class).
    /// </summary>
    private static void Compose(List<int> cps)
    {
        if (cps.Count < 2) return;
        var starter = -1; // where the last starter went in the output
        var kept = 0;     // the output is cps[0..kept)
        for (var i = 0; i < cps.Count; i++)
        {
            var cp = cps[i];
            var cc = CombiningClass(cp);
            if (starter >= 0)
            {
                var adjacent = kept - 1 == starter;
                var lastClass = adjacent ? 0 : CombiningClass(cps[kept - 1]);
                if ((adjacent || (lastClass != 0 && lastClass < cc)) && Compose(cps[starter], cp) is var composite and >= 0)
                {
                    cps[starter] = composite;
                    continue;
                }
            }
            if (cc == 0) starter = kept;
            cps[kept++] = cp;
        }
        cps.RemoveRange(kept, cps.Count - kept);
    }

    private static int Compose(int a, int b)
    {
        if (a is >= LBase and < LBase + LCount && b is >= VBase and < VBase + VCount)
            return SBase + ((a - LBase) * VCount + (b - VBase)) * TCount;
        if (a is >= SBase and < SBase + SCount && (a - SBase) % TCount == 0 && b is > TBase and < TBase + TCount)
            return a + (b - TBase);
        return Composition.TryGetValue(((long)a << 21) | (uint)b, out var c) ? c : -1;
    }

    private static string Build(List<int> cps)
    {
        var sb = new StringBuilder(cps.Count + 4);
        foreach (var cp in cps)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) sb.Append((char)cp); // a lone surrogate, kept
            else sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString();
    }

    private static Dictionary<int, (int, int)> BuildDecompositions()
    {
        var t = UnicodeTables.Decompositions;
        var d = new Dictionary<int, (int, int)>(t.Length / 3);
        for (var i = 0; i < t.Length; i += 3) d[t[i]] = (t[i + 1], t[i + 2]);
        return d;
    }

    private static Dictionary<int, byte> BuildClasses()
    {
        var t = UnicodeTables.CombiningClasses;
        var d = new Dictionary<int, byte>(t.Length / 2);
        for (var i = 0; i < t.Length; i += 2) d[t[i]] = (byte)t[i + 1];
        return d;
    }

    private static Dictionary<long, int> BuildCompositions()
    {
        var t = UnicodeTables.Compositions;
        var d = new Dictionary<long, int>(t.Length / 3);
        for (var i = 0; i < t.Length; i += 3) d[((long)t[i] << 21) | (uint)t[i + 1]] = t[i + 2];
        return d;
    }
}
