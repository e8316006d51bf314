#!/usr/bin/env perl
# A small client-side parser of pause responses (POST /fine_tuning/jobs/{id}/pause),
# written with core Perl only (JSON::PP, B): an example target for
# `finetune-contract fuzz`. It checks the fields a typical client reads and
# ignores the rest.
#
#   perl parse_pause.pl < response.json   # oneshot: exit 0 accepted, 1 rejected (reason on stderr)
#   perl parse_pause.pl --jsonl           # a payload per line in, {"ok":true} / {"ok":false,"error":"..."} out
#
#   finetune-contract fuzz --exec "perl examples/perl/parse_pause.pl --jsonl" --protocol jsonl
use strict;
use warnings;
use JSON::PP ();
use B ();

my %STATUS = map { $_ => 1 } qw(validating_files queued running succeeded failed cancelled);
my $JSON = JSON::PP->new->utf8->allow_nonref;

# JSON::PP gives numbers IOK/NOK flags and strings POK: test the flags before
# any string comparison (which would add POK to a number).
sub is_number {
    my ($v) = @_;
    return 0 if !defined $v || ref $v;
    my $flags = B::svref_2object(\$v)->FLAGS;
    return ($flags & (B::SVp_IOK | B::SVp_NOK)) && !($flags & B::SVp_POK) ? 1 : 0;
}
sub is_string  { my ($v) = @_; return defined $v && !ref $v && !is_number($v) }
sub is_integer { my ($v) = @_; return is_number($v) && $v == int($v) }
sub is_object  { return ref $_[0] eq 'HASH' }

sub setting {
    my ($hp, $key, $low, $high, $integer) = @_;
    return if !exists $hp->{$key};
    my $v = $hp->{$key};
    if (!is_number($v)) {
        return if is_string($v) && $v eq 'auto';
        die "hyperparameters.$key: not a number or 'auto'\n";
    }
    die "hyperparameters.$key: not an integer\n" if $integer && !is_integer($v);
    die "hyperparameters.$key: too small\n" if $v < $low || (!$integer && $v == $low);
    die "hyperparameters.$key: too large\n" if defined $high && $v > $high;
}

sub check_job {
    my ($job) = @_;
    die "not a JSON object\n" unless is_object($job);
    for my $key (qw(id model organization_id training_file)) {
        die "$key: missing or not a string\n" unless is_string($job->{$key});
    }
    die "object: not 'fine_tuning.job'\n"
        unless is_string($job->{object}) && $job->{object} eq 'fine_tuning.job';
    die "status: unknown\n" unless is_string($job->{status}) && $STATUS{ $job->{status} };
    die "created_at: missing or not an integer\n" unless is_integer($job->{created_at});
    for my $key (qw(finished_at estimated_finish)) {
        die "$key: not an integer or null\n"
            if defined $job->{$key} && !is_integer($job->{$key});
    }
    my $hp = $job->{hyperparameters};
    die "hyperparameters: missing or not an object\n" unless is_object($hp);
    setting($hp, 'batch_size', 1, 256, 1) if defined $hp->{batch_size};
    setting($hp, 'n_epochs', 1, 50, 1);
    setting($hp, 'learning_rate_multiplier', 0, undef, 0);
    if (defined $job->{metadata}) {
        my $md = $job->{metadata};
        die "metadata: not an object of at most 16 pairs\n"
            unless is_object($md) && keys %$md <= 16;
        for my $key (keys %$md) {
            die "metadata: bad pair\n"
                if length($key) > 64 || !is_string($md->{$key}) || length($md->{$key}) > 512;
        }
    }
    die "error: missing (null when the job did not fail)\n" unless exists $job->{error};
    if (defined $job->{error}) {
        my $error = $job->{error};
        die "error: not an object or null\n" unless is_object($error);
        die "error: code and message must be strings\n"
            unless is_string($error->{code}) && is_string($error->{message});
        die "error: param must be a string or null\n"
            unless exists $error->{param} && (!defined $error->{param} || is_string($error->{param}));
    }
    return { id => $job->{id}, status => $job->{status} };
}

sub verdict {
    my ($text) = @_;
    my $job = eval { $JSON->decode($text) };
    if (!defined $job && $@) { (my $why = $@) =~ s/\s+at \S+ line \d+.*//s; die "not JSON: $why\n" }
    return check_job($job);
}

if (grep { $_ eq '--jsonl' } @ARGV) {
    $| = 1;
    while (my $line = <STDIN>) {
        my $ok = eval { verdict($line); 1 };
        my $answer = $ok ? { ok => JSON::PP::true } : { ok => JSON::PP::false, error => "$@" =~ s/\n\z//r };
        print JSON::PP->new->canonical->encode($answer), "\n";
    }
    exit 0;
}

my $text = do { local $/; <STDIN> };
if (!eval { verdict($text); 1 }) {
    print STDERR "rejected: $@";
    exit 1;
}
exit 0;
