namespace Bisync.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("bisync: not implemented yet");
        return 2;
    }
}
