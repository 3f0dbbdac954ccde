# Ticket statuses and invalid ticket number messages.
# Callers pass the explanation arguments: diproses { $opd }, siap_diambil { $tempat },
# ditolak { $alasan }, dialihkan { $instansi }.

status-diterima = Received
status-diterima-explain = We have received your application; it is waiting to be checked.
status-diverifikasi = Being checked
status-diverifikasi-explain = An officer is checking that your files are complete.
status-perlu_perbaikan = Needs correction
status-perlu_perbaikan-explain = Please complete your data or files as the officer's note says.
status-diproses = In progress
status-diproses-explain = Your files are complete and { $opd } is working on them.
status-siap_diambil = Ready for pickup
status-siap_diambil-explain = Your document is ready; please collect it at { $tempat }.
status-selesai = Completed
status-selesai-explain = Your application has been completed.
status-ditolak = Rejected
status-ditolak-explain = Your application cannot be processed: { $alasan }.
status-dialihkan = Referred
status-dialihkan-explain = This is not within our authority; please contact { $instansi }.
status-dibatalkan = Cancelled
status-dibatalkan-explain = Your application has been cancelled.

invalid-ticket-length =
    Sorry, a ticket number has 8 letters and digits, for example *K7Q4-M9XS*.
    Please check the number you typed.
invalid-ticket-symbol =
    Sorry, ticket numbers do not use the digits 0 and 1 or the letters O, I and L.
    Please check the number you typed, for example *K7Q4-M9XS*.
invalid-ticket-check =
    Sorry, we do not recognise that ticket number; a letter or digit may be wrong or swapped.
    Please check the number you typed, for example *K7Q4-M9XS*.
