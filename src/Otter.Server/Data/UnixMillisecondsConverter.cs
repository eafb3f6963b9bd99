using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Otter.Server.Data;

/// <summary>Stores instants as UTC Unix milliseconds: sortable and comparable on SQLite and PostgreSQL alike.</summary>
internal sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.ToUnixTimeMilliseconds(),
    value => DateTimeOffset.FromUnixTimeMilliseconds(value));
