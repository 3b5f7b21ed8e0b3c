using System.Runtime.CompilerServices;

namespace Bisync.Tests.Support;

/// <summary>
/// Many tests run at once and several of them block a pool thread while they wait (for an rclone
/// process, for SSH.NET's synchronous calls). On a 2-core machine the pool starts with 2 threads
/// and adds more slowly, so work queued behind them waits seconds — long enough to look like an
/// idle connection to a 1 s --timeout. The CLI sizes the pool for its checkers and transfers the
/// same way.
/// </summary>
internal static class ThreadPoolSetup
{
#pragma warning disable CA2255 // a test assembly is the program here
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Init()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
