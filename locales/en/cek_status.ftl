cek_status-title = Check Application Status
cek_status-nomor =
    Please type your ticket number. Example: *K7Q4-M9XS*.
    To see the list of applications from this chat, type *skip*.
    .label = Ticket number
